"""Symbol features end to end: a real server over stdio, a fixture workspace, utf-16 positions."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.e2e.conftest import StartServer, wait_for_log, wait_for_message
from tests.e2e.rawlsp import RawPeer

# Line 3 puts an emoji (2 UTF-16 units, 4 bytes) and CJK (1 unit, 3 bytes each) before names.
MODELS = """\
class Price:
    def total(self, qty):
        return qty


s = "😀名前"; 値段 = Price(); v = 値段.total(2)


def make_price(unit):
    return Price()
"""

CART = """\
from models import make_price


class Cart:
    def add(self, item):
        return make_price(item)
"""


@pytest.fixture
def project(workspace: Path) -> Path:
    (workspace / "models.py").write_text(MODELS, encoding="utf-8")
    (workspace / "cart.py").write_text(CART, encoding="utf-8")
    (workspace / "web").mkdir()
    (workspace / "web/app.js").write_text("function getUserById(id) { return id; }\n")
    return workspace


async def ready(start_server: StartServer) -> LanguageClient:
    client = await start_server()
    await wait_for_log(client, "index ready")
    return client


def uri(root: Path, rel: str) -> str:
    return (root / rel).as_uri()


def utf16_col(line: str, needle: str, occurrence: int = 0) -> int:
    index = -1
    for _ in range(occurrence + 1):
        index = line.index(needle, index + 1)
    return len(line[:index].encode("utf-16-le")) // 2


def open_doc(client: LanguageClient, root: Path, rel: str) -> str:
    doc_uri = uri(root, rel)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(doc_uri, "python", 1, (root / rel).read_text(encoding="utf-8"))
        )
    )
    return doc_uri


async def test_document_symbol_is_hierarchical(start_server: StartServer, project: Path) -> None:
    client = await ready(start_server)
    result = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(types.TextDocumentIdentifier(uri(project, "models.py")))
    )
    assert [(s.name, s.kind) for s in result] == [
        ("Price", types.SymbolKind.Class),
        ("s", types.SymbolKind.Variable),
        ("値段", types.SymbolKind.Variable),
        ("v", types.SymbolKind.Variable),
        ("make_price", types.SymbolKind.Function),
    ]
    price = result[0]
    assert [c.name for c in price.children] == ["total"]
    assert price.children[0].kind == types.SymbolKind.Method
    line = MODELS.splitlines()[5]
    assert result[2].selection_range.start == types.Position(5, utf16_col(line, "値段"))
    assert result[3].selection_range.start == types.Position(5, utf16_col(line, "v ="))


async def test_workspace_symbol_fuzzy(start_server: StartServer, project: Path) -> None:
    client = await ready(start_server)
    result = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="gUBI"))
    assert [s.name for s in result] == ["getUserById"]
    assert result[0].location.uri == uri(project, "web/app.js")
    assert result[0].location.range.start == types.Position(0, 9)
    result = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="値"))
    line = MODELS.splitlines()[5]
    assert result[0].location.range == types.Range(
        types.Position(5, utf16_col(line, "値段")), types.Position(5, utf16_col(line, "値段") + 2)
    )


async def test_definition_after_emoji_and_cjk(start_server: StartServer, project: Path) -> None:
    client = await ready(start_server)
    doc = open_doc(client, project, "models.py")
    line = MODELS.splitlines()[5]
    # `total` in `値段.total(2)`: the column counts UTF-16 units.
    at = types.Position(5, utf16_col(line, "total") + 1)
    result = await client.text_document_definition_async(
        types.DefinitionParams(types.TextDocumentIdentifier(doc), at)
    )
    assert [(loc.uri, loc.range.start) for loc in result] == [(doc, types.Position(1, 8))]


async def test_definition_across_files_prefers_the_import(
    start_server: StartServer, project: Path
) -> None:
    client = await ready(start_server)
    doc = uri(project, "cart.py")
    result = await client.text_document_definition_async(
        types.DefinitionParams(types.TextDocumentIdentifier(doc), types.Position(5, 17))
    )
    assert result[0].uri == uri(project, "models.py")
    assert result[0].range.start == types.Position(8, 4)


async def test_references_with_declaration(start_server: StartServer, project: Path) -> None:
    client = await ready(start_server)
    result = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=types.TextDocumentIdentifier(uri(project, "models.py")),
            position=types.Position(0, 7),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    line = MODELS.splitlines()[5]
    found = sorted(
        (Path(loc.uri).name, loc.range.start.line, loc.range.start.character) for loc in result
    )
    assert found == [
        ("models.py", 0, 6),
        ("models.py", 5, utf16_col(line, "Price")),
        ("models.py", 9, 11),
    ]


async def test_edits_update_document_symbols(start_server: StartServer, project: Path) -> None:
    client = await ready(start_server)
    doc = open_doc(client, project, "cart.py")
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(version=2, uri=doc),
            [
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(3, 6), types.Position(3, 10)), text="Basket😀"
                )
            ],
        )
    )
    result = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(types.TextDocumentIdentifier(doc))
    )
    assert [s.name for s in result] == ["Basket"]  # `😀` is not part of a Python identifier
    assert result[0].children[0].name == "add"


async def test_watched_file_changes_reach_workspace_symbol(
    start_server: StartServer, project: Path
) -> None:
    client = await ready(start_server)
    query = types.WorkspaceSymbolParams(query="freshly")
    assert await client.workspace_symbol_async(query) == []  # a recent answer is kept...
    new = project / "extra.py"
    new.write_text(textwrap.dedent("def freshly_created():\n    pass\n"))
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            [types.FileEvent(new.as_uri(), types.FileChangeType.Created)]
        )
    )
    await wait_for_log(client, "updated 1 file")
    result = await client.workspace_symbol_async(query)  # ...until the index changes
    assert [s.name for s in result] == ["freshly_created"]


async def test_a_symbol_moved_on_disk_is_answered_where_it_is_now(
    start_server: StartServer, project: Path
) -> None:
    """The JSON text of answered symbols is reused (`convert.SymbolTexts`): never for a
    definition that has moved since."""
    client = await ready(start_server)
    query = types.WorkspaceSymbolParams(query="Cart")
    (before,) = await client.workspace_symbol_async(query) or []
    path = project / "cart.py"
    path.write_text("\n\n" + path.read_text())
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            [types.FileEvent(path.as_uri(), types.FileChangeType.Changed)]
        )
    )
    await wait_for_log(client, "updated 1 file")
    (after,) = await client.workspace_symbol_async(query) or []
    assert after.location.range.start.line == before.location.range.start.line + 2


async def test_a_repeated_workspace_symbol_query_sees_buffer_edits(
    start_server: StartServer, project: Path
) -> None:
    client = await ready(start_server)
    doc = open_doc(client, project, "cart.py")
    query = types.WorkspaceSymbolParams(query="Cart")
    assert [s.name for s in await client.workspace_symbol_async(query) or []] == ["Cart"]
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(version=2, uri=doc),
            [
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(3, 6), types.Position(3, 10)), text="Basket"
                )
            ],
        )
    )
    # The buffer answers for its file at once, before its rows are stored in the index.
    assert await client.workspace_symbol_async(query) == []


async def test_watchers_are_registered(start_server: StartServer, project: Path) -> None:
    client = await ready(start_server)
    methods = [r.method for r in client.registrations]  # type: ignore[attr-defined]
    assert types.WORKSPACE_DID_CHANGE_WATCHED_FILES in methods


async def test_indexing_reports_progress(start_server: StartServer, project: Path) -> None:
    client = await ready(start_server)
    (token,) = [t for t in client.progress_reports if str(t).startswith("lsp-agent-index-")]
    reports = client.progress_reports[token]
    assert isinstance(reports[0], types.WorkDoneProgressBegin) and reports[0].cancellable
    assert isinstance(reports[-1], types.WorkDoneProgressEnd)
    assert reports[-1].message == "3 files, 9 symbols"
    percentages = [r.percentage for r in reports if isinstance(r, types.WorkDoneProgressReport)]
    assert percentages and percentages[-1] == 100


async def test_index_can_be_disabled(start_server: StartServer, project: Path) -> None:
    client = await start_server(init_options={"index": {"enabled": False}})
    await wait_for_log(client, "symbol index disabled")
    result = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="Price"))
    assert result == []
    # documentSymbol still works for a single file, parsed on request.
    outline = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(types.TextDocumentIdentifier(uri(project, "cart.py")))
    )
    assert [s.name for s in outline] == ["Cart"]


async def test_a_warm_server_answers_workspace_symbol_right_after_initialize(
    project: Path, start_server: StartServer
) -> None:
    first = await ready(start_server)
    await first.shutdown_session()
    second = await start_server()  # the same cache: the database and search file are there
    found = await second.workspace_symbol_async(types.WorkspaceSymbolParams(query="gubi"))
    assert [s.name for s in found or []] == ["getUserById"]


async def test_the_index_stops_at_its_file_limit_and_says_so(
    start_server: StartServer, project: Path
) -> None:
    """A folder larger than index.maxFiles is indexed up to the limit, never beyond, and the
    user is told why the index is incomplete and what to change."""
    client = await start_server(init_options={"index": {"maxFiles": 2}})
    shown = await wait_for_message(client, "is incomplete")
    assert "index.maxFiles" in shown and "index.exclude" in shown
    await wait_for_log(client, "index ready")
    found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query=""))
    assert len({s.location.uri for s in found or []}) == 2  # cart.py and models.py, in order


async def test_workspace_symbol_json_is_what_lsprotocol_would_send(
    env: dict[str, str], project: Path
) -> None:
    """The answer is built as JSON, not as lsprotocol objects (`convert.symbol_json`): read
    off the pipe, it has SymbolInformation's keys in cattrs's order, numeric kinds, UTF-16
    columns after non-ASCII text, and no `containerName` at top level."""
    peer = await RawPeer.start(env)
    try:
        root = project.as_uri()
        await peer.response(
            peer.request(
                "initialize",
                {
                    "processId": None,
                    "rootUri": root,
                    "workspaceFolders": [{"uri": root, "name": "workspace"}],
                    "capabilities": {},
                },
            )
        )
        peer.send({"method": "initialized", "params": {}})
        while "index ready" not in json.dumps((await peer.read()).get("params")):
            pass
        answer = await peer.response(peer.request("workspace/symbol", {"query": "値段"}))
        line = MODELS.splitlines()[5]
        start = utf16_col(line, "値段")
        assert list(answer) == ["id", "jsonrpc", "result"]
        assert answer["result"] == [
            {
                "location": {
                    "uri": uri(project, "models.py"),
                    "range": {
                        "start": {"line": 5, "character": start},
                        "end": {"line": 5, "character": start + 2},
                    },
                },
                "name": "値段",
                "kind": types.SymbolKind.Variable.value,
            }
        ]
        assert list(answer["result"][0]) == ["location", "name", "kind"]
        answer = await peer.response(peer.request("workspace/symbol", {"query": "total"}))
        (total,) = answer["result"]
        assert list(total) == ["location", "name", "kind", "containerName"]
        assert (total["kind"], total["containerName"]) == (types.SymbolKind.Method.value, "Price")
    finally:
        await peer.close()
