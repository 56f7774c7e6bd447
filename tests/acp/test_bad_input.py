"""Malformed and out-of-order messages get JSON-RPC errors; the agent keeps serving."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.acp.client import AcpClient, RpcError
from tests.acp.conftest import Start, fake

INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS, NOT_FOUND = -32600, -32601, -32602, -32002


async def rejected(client: AcpClient, method: str, params: Any) -> int:
    with pytest.raises(RpcError) as error:
        await client.request(method, params)
    assert isinstance(error.value.code, int)
    return error.value.code


async def test_bad_requests_get_errors_and_the_agent_goes_on(start: Start, workspace: Path) -> None:
    async with fake("read_then_edit", workspace) as server:
        client = await start(server)
        unknown = {"sessionId": "no-such-session", "prompt": [{"type": "text", "text": "hi"}]}
        assert await rejected(client, "session/prompt", unknown) == INVALID_PARAMS
        assert await rejected(client, "session/new", {"cwd": "relative/dir"}) == INVALID_PARAMS
        assert await rejected(client, "session/new", {"cwd": 42}) == INVALID_PARAMS
        assert await rejected(client, "session/prompt", {"sessionId": "x"}) == INVALID_PARAMS
        assert await rejected(client, "session/frobnicate", {}) == METHOD_NOT_FOUND
        load = {"sessionId": "0f6c1d4e-0000-4000-8000-000000000000", "cwd": str(workspace)}
        assert await rejected(client, "session/load", {**load, "mcpServers": []}) == NOT_FOUND
        session = await client.new_session(workspace)
        mode = {"sessionId": session, "modeId": "yolo"}
        assert await rejected(client, "session/set_mode", mode) == INVALID_PARAMS
        client.notify("session/cancel", {"sessionId": "no-such-session"})
        client.notify("session/cancel", {"nonsense": True})
        # Still answering, and the session still works.
        await client.initialize()
        answer = await client.request("session/list", {})
    assert [s["sessionId"] for s in answer["sessions"]] == [session]


async def test_second_prompt_while_running_is_refused(start: Start, workspace: Path) -> None:
    async with fake("hold_mid_stream", workspace) as server:
        client = await start(server)
        session = await client.new_session(workspace)
        params = {"sessionId": session, "prompt": [{"type": "text", "text": "explain"}]}
        first = asyncio.ensure_future(client.request("session/prompt", params))
        await server.held.wait()
        assert await rejected(client, "session/prompt", params) == INVALID_REQUEST
        client.notify("session/cancel", {"sessionId": session})
        assert (await first)["stopReason"] == "cancelled"


async def test_a_client_that_never_answers_is_timed_out(start: Start, workspace: Path) -> None:
    never = asyncio.Event()

    async def no_answer(params: dict[str, Any]) -> Any:
        await never.wait()

    async with fake("bash_headless", workspace) as server:
        client = await start(server, LSP_AGENT_PERMISSION_PROMPT_TIMEOUT="1")
        client.handlers["session/request_permission"] = no_answer
        session = await client.new_session(workspace)
        answer = await client.prompt(session, "make a marker")
    assert answer["stopReason"] == "end_turn"
    assert not (workspace / "ran-bash").exists()
    final = client.kinds("tool_call_update")[-1]
    assert final["status"] == "failed"
    assert "No answer within 1 s" in final["content"][-1]["content"]["text"]
