"""Malformed messages get JSON-RPC errors and the server keeps serving."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.e2e.rawlsp import RawPeer

INVALID_PARAMS, METHOD_NOT_FOUND, PARSE_ERROR, INVALID_REQUEST = -32602, -32601, -32700, -32600


@pytest.fixture
async def peer(env: dict[str, str]) -> AsyncIterator[RawPeer]:
    peer = await RawPeer.start(env)
    await peer.initialize()
    yield peer
    assert await peer.close() == 0


async def assert_still_serving(peer: RawPeer) -> None:
    answer = await peer.response(
        peer.request("workspace/executeCommand", {"command": "lspAgent.settings", "arguments": []})
    )
    assert answer["result"]["settings"]["maxTurns"] == 50


@pytest.mark.parametrize(
    ("method", "params", "code"),
    [
        ("workspace/executeCommand", {"command": 42, "arguments": "nope"}, INVALID_PARAMS),
        ("workspace/executeCommand", {"command": "lspAgent.noSuchCommand"}, None),
        ("lspAgent/noSuchMethod", {}, METHOD_NOT_FOUND),
        ("workspace/didChangeConfiguration", "not an object", INVALID_PARAMS),
    ],
)
async def test_bad_request_gets_an_error(
    peer: RawPeer, method: str, params: object, code: int | None
) -> None:
    answer = await peer.response(peer.request(method, params))
    assert "error" in answer, answer
    if code is not None:
        assert answer["error"]["code"] == code
    await assert_still_serving(peer)


async def test_invalid_json_gets_a_parse_error(peer: RawPeer) -> None:
    peer.send_bytes(b'{"jsonrpc": "2.0", "id": 99, "method": ')
    answer = await peer.response(None)
    assert answer["error"]["code"] == PARSE_ERROR
    await assert_still_serving(peer)


async def test_request_without_jsonrpc_member_is_invalid(peer: RawPeer) -> None:
    peer.send_bytes(b'{"id": 7, "method": "shutdown"}')
    answer = await peer.response(7)
    assert answer["error"]["code"] == INVALID_REQUEST
    await assert_still_serving(peer)


async def test_bad_notification_is_survived(peer: RawPeer) -> None:
    peer.send({"method": "textDocument/didOpen", "params": {"textDocument": 5}})
    unopened = {"uri": "file:///nowhere.py", "version": 3}
    peer.send(
        {
            "method": "textDocument/didChange",
            "params": {"textDocument": unopened, "contentChanges": [{"text": "x"}]},
        }
    )
    await assert_still_serving(peer)
