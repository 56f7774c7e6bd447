"""Symbol answers shaped by the client's capabilities, and taken from what the client's buffers
hold from `didOpen` on (not from the disk file they may differ from)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities

from tests.e2e.conftest import StartServer, wait_for_log

MODELS = """\
class Price:
    def total(self, qty):
        return qty


def make_price(unit):
    return Price()
"""


@pytest.fixture
def project(workspace: Path) -> Path:
    (workspace / "models.py").write_text(MODELS)
    return workspace


def flat_capabilities() -> types.ClientCapabilities:
    """VS Code's capabilities, but without hierarchical document symbols."""
    caps = client_capabilities("visual-studio-code")
    assert caps.text_document and caps.text_document.document_symbol
    caps.text_document.document_symbol.hierarchical_document_symbol_support = False
    return caps


async def ready(start_server: StartServer, **kwargs: object) -> LanguageClient:
    client = await start_server(**kwargs)
    await wait_for_log(client, "index ready")
    return client


async def test_document_symbol_is_flat_for_a_client_without_hierarchy(
    start_server: StartServer, project: Path
) -> None:
    client = await ready(start_server, capabilities=flat_capabilities())
    uri = (project / "models.py").as_uri()
    result = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(types.TextDocumentIdentifier(uri))
    )
    assert result is not None
    assert all(isinstance(s, types.SymbolInformation) for s in result), result
    assert [(s.name, s.container_name) for s in result] == [
        ("Price", None),
        ("total", "Price"),
        ("make_price", None),
    ]
    total = result[1]
    assert isinstance(total, types.SymbolInformation)
    assert total.kind == types.SymbolKind.Method
    assert total.location == types.Location(
        uri, types.Range(types.Position(1, 4), types.Position(2, 18))
    )


# The buffer as the user has it, unsaved: three lines more at the top, and a function the file on
# disk does not have yet.
BUFFER = "import os\n\n\n" + MODELS + "\n\ndef only_in_buffer():\n    return make_price(1)\n"
MAKE_PRICE_LINE = BUFFER.splitlines().index("def make_price(unit):")
CALL_LINE = len(BUFFER.splitlines()) - 1


def open_buffer(client: LanguageClient, project: Path) -> str:
    uri = (project / "models.py").as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, BUFFER))
    )
    return uri


async def test_workspace_symbol_answers_from_a_buffer_that_differs_at_open(
    start_server: StartServer, project: Path
) -> None:
    client = await ready(start_server)
    uri = open_buffer(client, project)
    found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="only_in_buf"))
    assert [(s.name, s.location.uri) for s in found] == [("only_in_buffer", uri)]
    assert found[0].location.range.start.line == CALL_LINE - 1
    # A symbol in both: where the buffer has it, not where the disk file does.
    found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="make_price"))
    assert [(s.name, s.location.range.start) for s in found] == [
        ("make_price", types.Position(MAKE_PRICE_LINE, 4))
    ]


async def test_definition_right_after_did_open_reads_the_buffer(
    start_server: StartServer, project: Path
) -> None:
    client = await ready(start_server)
    uri = open_buffer(client, project)
    at = types.Position(CALL_LINE, BUFFER.splitlines()[CALL_LINE].index("make_price") + 1)
    result = await client.text_document_definition_async(
        types.DefinitionParams(types.TextDocumentIdentifier(uri), at)
    )
    assert [(loc.uri, loc.range.start) for loc in result] == [
        (uri, types.Position(MAKE_PRICE_LINE, 4))
    ]
