"""A multi-root workspace end to end: every folder is indexed and navigable, folders come and go
at run time, and the agent's tools reach every folder (not only the first)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.e2e.agent_harness import HELLO, StartAgent
from tests.e2e.conftest import StartServer, wait_for_log


@pytest.fixture
def folders(tmp_path: Path) -> list[Path]:
    app, lib, extra = tmp_path / "app", tmp_path / "lib", tmp_path / "extra"
    for folder in (app, lib, extra):
        folder.mkdir()
    (app / "main.py").write_text("from util import slugify\n\nprint(slugify('A b'))\n")
    (lib / "util.py").write_text("def slugify(text):\n    return text.lower()\n")
    (extra / "tools.py").write_text("def frobnicate():\n    pass\n")
    return [app, lib, extra]


def folder(path: Path) -> types.WorkspaceFolder:
    return types.WorkspaceFolder(uri=path.as_uri(), name=path.name)


async def symbols(client: LanguageClient, query: str) -> list[str]:
    found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query=query))
    return sorted(
        f"{s.name}@{Path(s.location.uri.removeprefix('file://')).parent.name}" for s in found
    )


@pytest.fixture
async def client(start_server: StartServer, folders: list[Path]) -> LanguageClient:
    """A server over the first two folders, both indexed."""
    client = await start_server(folders=folders[:2])
    await wait_for_log(client, f"index ready: {folders[1]}")
    return client


async def test_every_folder_is_indexed_and_navigable(
    client: LanguageClient, folders: list[Path]
) -> None:
    app, lib, _ = folders
    assert await symbols(client, "slugify") == ["slugify@lib"]

    main = (app / "main.py").as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=main, language_id="python", version=1, text=(app / "main.py").read_text()
            )
        )
    )
    at_call = types.Position(line=2, character=8)  # print(slugify(...
    found = await client.text_document_definition_async(
        types.DefinitionParams(text_document=types.TextDocumentIdentifier(main), position=at_call)
    )
    assert [loc.uri for loc in found] == [(lib / "util.py").as_uri()]  # in the other folder
    refs = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=types.TextDocumentIdentifier((lib / "util.py").as_uri()),
            position=types.Position(line=0, character=5),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    assert sorted({Path(r.uri).name for r in refs}) == ["main.py", "util.py"]


async def test_folders_added_and_removed_at_run_time(
    client: LanguageClient, folders: list[Path]
) -> None:
    app, lib, extra = folders
    assert await symbols(client, "frobnicate") == []

    client.workspace_did_change_workspace_folders(
        types.DidChangeWorkspaceFoldersParams(
            event=types.WorkspaceFoldersChangeEvent(added=[folder(extra)], removed=[folder(lib)])
        )
    )
    await wait_for_log(client, f"index ready: {extra}")
    await wait_for_log(client, "workspace folders changed: 1 added, 1 kept")
    assert await symbols(client, "frobnicate") == ["frobnicate@extra"]
    assert await symbols(client, "slugify") == []  # its folder left the workspace
    assert await symbols(client, "print") == []  # a call, not a definition: still nothing
    # The folder that stayed was not re-indexed from scratch: it kept answering throughout.
    assert not any(f"index ready: {app}" in m.message for m in client.log_messages[-5:])


async def test_the_agent_reaches_every_folder(
    start_agent: StartAgent, workspace: Path, folders: list[Path]
) -> None:
    _, lib, _ = folders
    (workspace / "hello.py").write_text(HELLO)
    util = lib / "util.py"
    h = await start_agent(
        [
            {
                "content": [
                    {"type": "tool_use", "name": "SymbolSearch", "input": {"query": "slugify"}},
                    {"type": "tool_use", "name": "Read", "input": {"file_path": str(util)}},
                ]
            },
            {"content": [{"type": "text", "text": "slugify lowercases"}]},
        ],
        folders=[workspace, lib],
    )
    await wait_for_log(h.client, f"index ready: {lib}")
    uri = h.editor.open(workspace / "hello.py")
    result = await h.command("lspAgent.ask", {"uri": uri, "prompt": "What does slugify do?"})
    await h.editor.done(result["sessionId"])
    search, read = h.tool_results()
    assert not search.get("is_error") and f"{util}:1" in json.dumps(search)
    assert not read.get("is_error") and "return text.lower()" in json.dumps(read)
    system = json.dumps(h.fake.requests[0].body["system"])
    assert f"Additional working directory: {lib}" in system
