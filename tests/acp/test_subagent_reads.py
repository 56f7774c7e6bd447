"""A subagent's file tools read through the client as the main agent's do (unsaved buffers), and
so does NotebookEdit; Grep and Glob search the disk, as documented."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lsp_agent.testing.fake_anthropic import FakeAnthropic
from tests.acp.conftest import Start

BUFFER = "print('hello')\nUNSAVED_MARKER = 1\n"


def scenario(cwd: Path) -> dict[str, Any]:
    task = {"description": "look", "prompt": "read hello.py", "subagent_type": "general-purpose"}
    return {
        "responses": [
            {"content": [{"type": "tool_use", "name": "Task", "input": task}]},
            # The subagent's own turns.
            {
                "content": [
                    {"type": "tool_use", "name": "Read", "input": {"file_path": f"{cwd}/hello.py"}}
                ]
            },
            {"content": [{"type": "text", "text": "It sets UNSAVED_MARKER."}]},
            # The main agent again: Grep searches the disk, where the marker is not yet.
            {
                "content": [
                    {"type": "tool_use", "name": "Grep", "input": {"pattern": "UNSAVED_MARKER"}}
                ]
            },
            {"content": [{"type": "text", "text": "Done."}]},
        ]
    }


async def test_subagent_reads_the_clients_buffer(start: Start, workspace: Path) -> None:
    async def read(params: dict[str, Any]) -> Any:
        return {"content": BUFFER}

    async with FakeAnthropic(scenario(workspace)) as server:
        client = await start(server, fs=True)
        client.handlers["fs/read_text_file"] = read
        session = await client.new_session(workspace)
        answer = await client.prompt(session, "ask a subagent")
    assert answer["stopReason"] == "end_turn"
    assert [p["path"] for m, p in client.calls if m == "fs/read_text_file"] == [
        f"{workspace}/hello.py"
    ]
    # The subagent's Read result, in its second request, is the client's buffer.
    subagent_read = server.requests[2].body["messages"][-1]["content"][0]["content"]
    assert "UNSAVED_MARKER" in str(subagent_read)
    grep = server.requests[4].body["messages"][-1]["content"][0]["content"]
    assert grep == "No files found"  # the disk has no marker: Grep does not ask the client
    assert server.violations == []


def notebook(source: str, extra: str = "") -> str:
    cells = [{"cell_type": "code", "id": "a", "metadata": {}, "outputs": [], "source": source}]
    if extra:
        cells.append({"cell_type": "markdown", "id": "b", "metadata": {}, "source": extra})
    meta = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}}
    return json.dumps({"cells": cells, **meta}, indent=1) + "\n"


async def test_notebook_edit_works_on_the_clients_buffer(start: Start, workspace: Path) -> None:
    path = workspace / "nb.ipynb"
    path.write_text(notebook("x = 1"))
    buffer = notebook("x = 2", extra="unsaved note")
    written: list[str] = []

    async def read(params: dict[str, Any]) -> Any:
        return {"content": buffer}

    async def write(params: dict[str, Any]) -> Any:
        written.append(params["content"])
        return {}

    edit = {"notebook_path": str(path), "cell_id": "a", "new_source": "x = 3"}
    scenario = {
        "responses": [
            {"content": [{"type": "tool_use", "name": "Read", "input": {"file_path": str(path)}}]},
            {"content": [{"type": "tool_use", "name": "NotebookEdit", "input": edit}]},
            {"content": [{"type": "text", "text": "Done."}]},
        ]
    }
    async with FakeAnthropic(scenario) as server:
        client = await start(server, fs=True)
        client.handlers["fs/read_text_file"] = read
        client.handlers["fs/write_text_file"] = write
        session = await client.new_session(workspace)
        await client.request("session/set_mode", {"sessionId": session, "modeId": "acceptEdits"})
        await client.prompt(session, "set x to 3")
    failed = [u for u in client.kinds("tool_call_update") if u.get("status") == "failed"]
    assert failed == []
    [content] = written  # the client's buffer, edited: its unsaved cell kept
    cells = json.loads(content)["cells"]
    assert ["".join(c["source"]) for c in cells] == ["x = 3", "unsaved note"]
    assert path.read_text() == notebook("x = 1")  # the disk is the client's business
