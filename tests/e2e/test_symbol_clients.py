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
