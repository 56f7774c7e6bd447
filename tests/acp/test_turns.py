"""Prompt turns over ACP: streamed text, tool calls with kinds and locations, an edit approved
through session/request_permission (written by the client when it offers fs, else to disk),
Bash denied, cancel mid-stream."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from lsp_agent.testing.fake_anthropic import FakeAnthropic
from tests.acp.client import choose
from tests.acp.conftest import Start, fake
from tests.acp.test_usage import assert_usage_of_read_then_edit


async def test_initialize_advertises_what_is_implemented(start: Start, workspace: Path) -> None:
    async with fake("read_then_edit", workspace) as server:
        client = await start(server)
        answer = await client.request("initialize", {"protocolVersion": 1})
    caps = answer["agentCapabilities"]
    assert answer["protocolVersion"] == 1
    assert caps["loadSession"] is True
    assert caps["promptCapabilities"] == {"image": True, "audio": False, "embeddedContext": True}
    assert set(caps["sessionCapabilities"]) == {
        "list",
        "resume",
        "close",
        "fork",
        "additionalDirectories",
    }


async def test_read_then_edit_approved_through_the_client(start: Start, workspace: Path) -> None:
    async with fake("read_then_edit", workspace) as server:
        client = await start(server)
        client.handlers["session/request_permission"] = choose("allow_once")
        session = await client.new_session(workspace)
        answer = await client.prompt(session, "fix the greeting")
    assert answer["stopReason"] == "end_turn"
    assert_usage_of_read_then_edit(client, answer)
    tools = {t["name"] for t in server.requests[0].body["tools"]}
    assert {"Read", "Edit", "Bash", "SymbolSearch", "TodoWrite"} <= tools  # as serve and ask
    assert (workspace / "hello.py").read_text() == "print('hello, world')\n"
    assert client.text() == (
        "Let me look at the file first.I changed the greeting to 'hello, world'."
    )
    read, edit = client.kinds("tool_call")
    assert (read["kind"], read["locations"]) == ("read", [{"path": f"{workspace}/hello.py"}])
    assert edit["kind"] == "edit"
    [(method, question)] = client.calls
    assert method == "session/request_permission"
    assert question["toolCall"]["toolCallId"] == edit["toolCallId"]
    assert question["toolCall"]["content"][0]["type"] == "diff"
    final = [u for u in client.kinds("tool_call_update") if u["toolCallId"] == edit["toolCallId"]]
    diff = final[-1]["content"][0]
    assert final[-1]["status"] == "completed"
    assert diff == {
        "type": "diff",
        "path": f"{workspace}/hello.py",
        "oldText": "print('hello')\n",
        "newText": "print('hello, world')\n",
    }
    assert server.violations == []


async def test_a_client_that_offers_fs_reads_and_writes_its_buffers(
    start: Start, workspace: Path
) -> None:
    buffer = "print('hello')\n# not saved yet\n"
    written: list[dict[str, Any]] = []

    async def read(params: dict[str, Any]) -> Any:
        return {"content": buffer}

    async def write(params: dict[str, Any]) -> Any:
        written.append(params)
        return {}

    async with fake("read_then_edit", workspace) as server:
        client = await start(server, fs=True)
        client.handlers["session/request_permission"] = choose("allow_once")
        client.handlers["fs/read_text_file"] = read
        client.handlers["fs/write_text_file"] = write
        session = await client.new_session(workspace)
        answer = await client.prompt(session, "fix the greeting")
    assert answer["stopReason"] == "end_turn"
    path = f"{workspace}/hello.py"
    reads = [p["path"] for m, p in client.calls if m == "fs/read_text_file"]
    assert reads and set(reads) == {path}
    # The model saw the unsaved buffer, and the edit was made to it.
    read_result = server.requests[1].body["messages"][-1]["content"][0]["content"]
    assert "# not saved yet" in read_result
    assert [(w["path"], w["content"], w["sessionId"]) for w in written] == [
        (path, "print('hello, world')\n# not saved yet\n", session)
    ]
    # The client owns the write (its buffer, its undo): the agent did not touch the disk.
    assert (workspace / "hello.py").read_text() == "print('hello')\n"


async def test_rejected_bash_never_runs(start: Start, workspace: Path) -> None:
    async with fake("bash_headless", workspace) as server:
        client = await start(server)
        client.handlers["session/request_permission"] = choose("reject_once")
        session = await client.new_session(workspace)
        answer = await client.prompt(session, "make a marker")
    assert answer["stopReason"] == "end_turn"
    assert not (workspace / "ran-bash").exists()
    [bash] = client.kinds("tool_call")
    assert (bash["kind"], bash["title"]) == ("execute", f"Bash: touch {workspace}/ran-bash")
    final = client.kinds("tool_call_update")[-1]
    assert (final["toolCallId"], final["status"]) == (bash["toolCallId"], "failed")
    assert "rejected" in final["content"][-1]["content"]["text"]
    assert [m for m, _ in client.calls] == ["session/request_permission"]


async def test_cancel_mid_stream_answers_cancelled(start: Start, workspace: Path) -> None:
    async with fake("hold_mid_stream", workspace) as server:
        client = await start(server)
        session = await client.new_session(workspace)
        params = {"sessionId": session, "prompt": [{"type": "text", "text": "explain"}]}
        turn = client.request("session/prompt", params)
        pending = asyncio.ensure_future(turn)
        await server.held.wait()
        # The text sent before the hold is on its way: cancel once it has reached the client.
        await client.wait_for(lambda: bool(client.text()))
        client.notify("session/cancel", {"sessionId": session})
        answer = await pending
    assert answer["stopReason"] == "cancelled"
    # What streamed before the hold reached the client; nothing after it.
    assert client.text() and "The file prints a greeting".startswith(client.text())


async def test_cancel_while_asking_answers_cancelled(start: Start, workspace: Path) -> None:
    never = asyncio.Event()

    async def no_answer(params: dict[str, Any]) -> Any:
        await never.wait()

    async with fake("bash_headless", workspace) as server:
        client = await start(server)
        client.handlers["session/request_permission"] = no_answer
        session = await client.new_session(workspace)
        params = {"sessionId": session, "prompt": [{"type": "text", "text": "make a marker"}]}
        pending = asyncio.ensure_future(client.request("session/prompt", params))
        await client.wait_for(lambda: bool(client.calls))
        client.notify("session/cancel", {"sessionId": session})
        answer = await pending
    assert answer["stopReason"] == "cancelled"
    assert not (workspace / "ran-bash").exists()


async def test_additional_directories_are_roots_and_nothing_else_is(
    start: Start, workspace: Path, tmp_path: Path
) -> None:
    extra, outside = tmp_path / "extra", tmp_path / "outside"
    for folder in (extra, outside):
        folder.mkdir()
        (folder / "notes.txt").write_text(f"in {folder.name}\n")
    scenario = {
        "responses": [
            {
                "content": [
                    read_call(extra / "notes.txt", "r1"),
                    read_call(outside / "notes.txt", "r2"),
                ]
            },
            {"content": [{"type": "text", "text": "done"}]},
        ]
    }
    async with FakeAnthropic(scenario) as server:
        client = await start(server, fs=True)
        session = await client.new_session(workspace, additionalDirectories=[str(extra)])
        await client.prompt(session, "read both")
    final = {u["toolCallId"]: u for u in client.kinds("tool_call_update") if "status" in u}
    assert final["r1"]["status"] == "completed"
    assert "in extra" in final["r1"]["content"][-1]["content"]["text"]
    assert final["r2"]["status"] == "failed"
    assert "outside the workspace" in final["r2"]["content"][-1]["content"]["text"]
    # The client was asked for the file inside the roots only.
    assert [p["path"] for m, p in client.calls if m == "fs/read_text_file"] == [
        str(extra / "notes.txt")
    ]


def read_call(path: Path, call_id: str) -> dict[str, Any]:
    return {"type": "tool_use", "id": call_id, "name": "Read", "input": {"file_path": str(path)}}


async def test_the_key_in_the_models_answer_never_reaches_the_client(
    start: Start, workspace: Path
) -> None:
    """Issue 17: a credential's value the model repeats (or a hook or command printed) is
    redacted from every session update the ACP client receives."""
    from tests.agent.conftest import API_KEY

    thinking = {"type": "thinking", "thinking": f"It is {API_KEY}.", "signature": "s1"}
    answer = {"content": [thinking, {"type": "text", "text": f"Your key is {API_KEY}."}]}
    async with FakeAnthropic({"responses": [answer]}) as server:
        client = await start(server)
        session = await client.new_session(workspace)
        done = await client.prompt(session, "what is my key?")
    assert done["stopReason"] == "end_turn"
    assert client.text() == "Your key is [redacted ANTHROPIC_API_KEY]."
    # The thoughts too, though the key is split across their deltas.
    thoughts = "".join(u["content"]["text"] for u in client.kinds("agent_thought_chunk"))
    assert thoughts == "It is [redacted ANTHROPIC_API_KEY]."
    assert all(API_KEY not in str(message) for message in client.raw)
