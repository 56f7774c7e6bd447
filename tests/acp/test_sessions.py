"""Sessions over ACP: modes, slash commands, stop reasons, list/load/resume/close, and a client
that goes away mid-turn."""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from lsp_agent.testing.fake_anthropic import FakeAnthropic
from tests.acp.client import RpcError, choose
from tests.acp.conftest import Start, fake


async def test_new_session_offers_modes_and_commands(start: Start, workspace: Path) -> None:
    async with fake("read_then_edit", workspace) as server:
        client = await start(server)
        answer = await client.request("session/new", {"cwd": str(workspace), "mcpServers": []})
        await client.wait_for(lambda: bool(client.kinds("available_commands_update")))
    modes = answer["modes"]
    assert modes["currentModeId"] == "default"
    ids = [m["id"] for m in modes["availableModes"]]
    assert {"default", "acceptEdits", "plan", "bypassPermissions"} <= set(ids)
    [commands] = client.kinds("available_commands_update")
    assert "compact" in [c["name"] for c in commands["availableCommands"]]


async def test_accept_edits_mode_edits_without_asking(start: Start, workspace: Path) -> None:
    async with fake("read_then_edit", workspace) as server:
        client = await start(server)
        session = await client.new_session(workspace)
        await client.request("session/set_mode", {"sessionId": session, "modeId": "acceptEdits"})
        answer = await client.prompt(session, "fix the greeting")
    assert answer["stopReason"] == "end_turn"
    assert client.kinds("current_mode_update") == [
        {"sessionUpdate": "current_mode_update", "currentModeId": "acceptEdits"}
    ]
    assert client.calls == []  # no permission question, no fs: the disk port wrote it
    assert (workspace / "hello.py").read_text() == "print('hello, world')\n"


async def test_max_turns_stops_with_max_turn_requests(start: Start, workspace: Path) -> None:
    async with fake("max_turns", workspace) as server:
        client = await start(server, LSP_AGENT_MAX_TURNS="2")
        session = await client.new_session(workspace)
        answer = await client.prompt(session, "list forever")
    assert answer["stopReason"] == "max_turn_requests"
    assert [c["kind"] for c in client.kinds("tool_call")] == ["read", "read"]


async def test_saved_session_is_listed_and_loaded(start: Start, workspace: Path) -> None:
    async with fake("read_then_edit", workspace) as server:
        first = await start(server)
        first.handlers["session/request_permission"] = choose("allow_always")
        session = await first.new_session(workspace)
        await first.prompt(session, "fix the greeting")
        assert first.kinds("session_info_update") == [
            {"sessionUpdate": "session_info_update", "title": "fix the greeting"}
        ]
        assert await first.close() == 0

        second = await start(server)
        listed = await second.request("session/list", {"cwd": str(workspace)})
        assert [(s["sessionId"], s["title"]) for s in listed["sessions"]] == [
            (session, "fix the greeting")
        ]
        load = {"sessionId": session, "cwd": str(workspace), "mcpServers": []}
        answer = await second.request("session/load", load)
    assert answer["modes"]["currentModeId"] == "default"
    kinds = [u["update"]["sessionUpdate"] for u in second.updates]
    # The history arrived before the answer, in the order it happened.
    first_user = kinds.index("user_message_chunk")
    assert kinds[first_user:].count("tool_call") == 2
    [user] = second.kinds("user_message_chunk")
    assert user["content"]["text"] == "fix the greeting"
    assert second.text() == first.text()
    assert [t["status"] for t in second.kinds("tool_call")] == ["completed", "completed"]


async def test_rename_names_the_session_in_the_panel_and_the_list(
    start: Start, workspace: Path
) -> None:
    async with fake("read_then_edit", workspace) as server:
        client = await start(server)
        client.handlers["session/request_permission"] = choose("allow_always")
        session = await client.new_session(workspace)
        await client.prompt(session, "fix the greeting")
        answer = await client.prompt(session, "/rename Greeting fix")
        assert answer["stopReason"] == "end_turn"
        assert client.kinds("session_info_update") == [
            {"sessionUpdate": "session_info_update", "title": "fix the greeting"},
            {"sessionUpdate": "session_info_update", "title": "Greeting fix"},
        ]
        assert "Session renamed to 'Greeting fix'." in client.text()
        listed = await client.request("session/list", {"cwd": str(workspace)})
    assert [(s["sessionId"], s["title"]) for s in listed["sessions"]] == [(session, "Greeting fix")]
    [command] = [c for c in client.kinds("available_commands_update")[-1]["availableCommands"]
                 if c["name"] == "rename"]  # fmt: skip
    assert command["input"] == {"hint": "[name]"}


async def test_client_gone_mid_turn_leaves_a_resumable_session(
    start: Start, workspace: Path
) -> None:
    async with fake("hold_mid_stream", workspace) as server:
        client = await start(server)
        session = await client.new_session(workspace)
        params = {"sessionId": session, "prompt": [{"type": "text", "text": "explain"}]}
        turn = asyncio.ensure_future(client.request("session/prompt", params))
        await server.held.wait()
        assert await client.close() == 0  # stdin closed mid-stream: the agent exits cleanly
        turn.cancel()

        again = await start(server)
        resume = {"sessionId": session, "cwd": str(workspace), "mcpServers": []}
        await again.request("session/resume", resume)
        answer = await again.prompt(session, "go on")
    assert answer["stopReason"] == "end_turn"
    assert again.text() == "Resumed: the file prints hello."
    assert server.violations == []


async def test_close_session_ends_it(start: Start, workspace: Path) -> None:
    async with fake("read_then_edit", workspace) as server:
        client = await start(server)
        session = await client.new_session(workspace)
        assert await client.request("session/close", {"sessionId": session}) == {}
        params = {"sessionId": session, "prompt": [{"type": "text", "text": "hi"}]}
        with pytest.raises(RpcError) as error:
            await client.request("session/prompt", params)
    assert error.value.code == -32602


async def test_approved_plan_switches_the_mode(start: Start, workspace: Path) -> None:
    plan = "1. Change the greeting."
    scenario = {
        "responses": [
            {"content": [{"type": "tool_use", "name": "ExitPlanMode", "input": {"plan": plan}}]},
            {"content": [{"type": "text", "text": "Plan approved."}]},
        ]
    }
    async with FakeAnthropic(scenario) as server:
        client = await start(server)
        client.handlers["session/request_permission"] = choose("acceptEdits")
        session = await client.new_session(workspace)
        await client.request("session/set_mode", {"sessionId": session, "modeId": "plan"})
        answer = await client.prompt(session, "plan it")
    assert answer["stopReason"] == "end_turn"
    [(_, question)] = client.calls
    assert [o["optionId"] for o in question["options"]] == ["acceptEdits", "default", "plan"]
    assert question["toolCall"]["content"][0]["content"]["text"] == plan
    modes = [u["currentModeId"] for u in client.kinds("current_mode_update")]
    assert modes == ["plan", "acceptEdits"]


async def test_model_stop_reasons_reach_the_client(start: Start, workspace: Path) -> None:
    scenario = {
        "responses": [
            {"content": [{"type": "text", "text": "A long ans"}], "stop_reason": "max_tokens"},
            {"content": [{"type": "text", "text": "I can't"}], "stop_reason": "refusal"},
        ]
    }
    async with FakeAnthropic(scenario) as server:
        client = await start(server)
        session = await client.new_session(workspace)
        first = await client.prompt(session, "write a lot")
        second = await client.prompt(session, "something bad")
    assert (first["stopReason"], second["stopReason"]) == ("max_tokens", "refusal")


async def test_model_is_a_session_config_option(start: Start, workspace: Path) -> None:
    scenario = {"responses": [{"content": [{"type": "text", "text": "hi"}]}]}
    async with FakeAnthropic(scenario) as server:
        client = await start(server)
        new = await client.request("session/new", {"cwd": str(workspace), "mcpServers": []})
        [model] = new["configOptions"]
        assert (model["id"], model["currentValue"]) == ("model", "claude-opus-5")
        choose_model = {
            "sessionId": new["sessionId"],
            "configId": "model",
            "value": "claude-haiku-4-5",
        }
        answer = await client.request("session/set_config_option", choose_model)
        assert answer["configOptions"][0]["currentValue"] == "claude-haiku-4-5"
        await client.prompt(new["sessionId"], "hi")
    assert server.requests[0].body["model"] == "claude-haiku-4-5"


async def test_client_gone_while_bash_runs_leaves_no_process(start: Start, workspace: Path) -> None:
    # A duration no other process has, so pgrep finds the command's shell and its sleep alike.
    token = f"sleep 599.{os.getpid()}"
    started = workspace / "started"
    os.mkfifo(started)
    command = f"echo go > {started} && {token}"
    scenario = {"responses": [{"content": [bash_call(command)]}]}
    async with FakeAnthropic(scenario) as server:
        client = await start(server)
        client.handlers["session/request_permission"] = choose("allow_once")
        session = await client.new_session(workspace)
        params = {"sessionId": session, "prompt": [{"type": "text", "text": "wait"}]}
        turn = asyncio.ensure_future(client.request("session/prompt", params))
        # The command is running once it has written to the pipe.
        assert await asyncio.to_thread(started.read_text) == "go\n"
        assert await client.close() == 0
        turn.cancel()
    found = subprocess.run(["pgrep", "-f", token], capture_output=True, text=True)
    assert found.stdout == ""


def bash_call(command: str) -> dict[str, Any]:
    return {"type": "tool_use", "name": "Bash", "input": {"command": command}}
