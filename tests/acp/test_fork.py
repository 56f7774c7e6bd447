"""session/fork (unstable ACP, offered as sessionCapabilities.fork): a new session that goes on
from a copy of another's conversation, leaving the original as it was."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lsp_agent.testing.fake_anthropic import FakeAnthropic
from tests.acp.client import RpcError
from tests.acp.conftest import Start, answers

NOT_FOUND = -32002


async def test_fork_goes_on_from_a_copy(start: Start, workspace: Path) -> None:
    async with FakeAnthropic(
        answers("Blue.", "Green, in the fork.", "Red, in the original.")
    ) as server:
        client = await start(server)
        caps = (await client.initialize())["agentCapabilities"]["sessionCapabilities"]
        assert caps["fork"] == {}
        original = await client.new_session(workspace)
        await client.prompt(original, "pick a colour")
        params = {"sessionId": original, "cwd": str(workspace), "mcpServers": []}
        forked = await client.request("session/fork", params)
        fork = forked["sessionId"]
        assert fork != original
        assert forked["modes"]["currentModeId"] == "default"
        await client.prompt(fork, "another")
        await client.prompt(original, "and here?")
        listed = await client.request("session/list", {"cwd": str(workspace)})
    # Each went on from the first turn, and neither saw the other's.
    history = [[m["content"] for m in r.body["messages"]] for r in server.requests]
    said = [[_text(c) for c in turn] for turn in history]
    assert said[1] == ["pick a colour", "Blue.", "another"]
    assert said[2] == ["pick a colour", "Blue.", "and here?"]
    assert {s["sessionId"] for s in listed["sessions"]} == {original, fork}


async def test_fork_of_an_unknown_session_is_not_found(start: Start, workspace: Path) -> None:
    async with FakeAnthropic(answers()) as server:
        client = await start(server)
        for unknown in ("0f6c1d4e-0000-4000-8000-000000000000", "../../etc/passwd"):
            params = {"sessionId": unknown, "cwd": str(workspace), "mcpServers": []}
            with pytest.raises(RpcError) as error:
                await client.request("session/fork", params)
            assert error.value.code == NOT_FOUND
        assert await client.request("session/list", {}) == {"sessions": []}


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "".join(b.get("text", "") for b in content if b.get("type") == "text")
