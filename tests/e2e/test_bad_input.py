"""Malformed messages get JSON-RPC errors and the server keeps serving."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.conftest import SERVER_COMMAND
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


async def test_an_endless_header_line_is_skipped(peer: RawPeer) -> None:
    # The server reads its pipe on the event loop (lsp_agent/server/stdio.py), whose line
    # reader has a limit: a line past it is dropped, and the messages after it are served.
    assert peer.process.stdin is not None
    peer.process.stdin.write(b"X-Junk: " + b"x" * 300_000 + b"\r\n")
    await assert_still_serving(peer)


async def test_messages_in_one_write_are_handled_in_order(peer: RawPeer, tmp_path: Path) -> None:
    # An editor's didOpen, didChange and documentSymbol can arrive in one read: the request
    # must see the change (the notification handlers run as tasks, one loop turn each).
    uri = (tmp_path / "shop.py").as_uri()
    opened = {"uri": uri, "languageId": "python", "version": 1, "text": "class Cart:\n    pass\n"}
    changed = {
        "textDocument": {"uri": uri, "version": 2},
        "contentChanges": [{"text": "class Basket:\n    pass\n"}],
    }
    messages = [
        {"method": "textDocument/didOpen", "params": {"textDocument": opened}},
        {"method": "textDocument/didChange", "params": changed},
        {
            "id": 500,
            "method": "textDocument/documentSymbol",
            "params": {"textDocument": {"uri": uri}},
        },
    ]
    assert peer.process.stdin is not None
    burst = b""
    for message in messages:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        burst += b"Content-Length: %d\r\n\r\n" % len(body) + body
    peer.process.stdin.write(burst)
    answer = await peer.response(500)
    assert [symbol["name"] for symbol in answer["result"]] == ["Basket"]


async def test_input_ending_inside_a_message_ends_the_server_cleanly(env: dict[str, str]) -> None:
    peer = await RawPeer.start(env)
    await peer.initialize()
    assert peer.process.stdin is not None
    peer.process.stdin.write(b'Content-Length: 500\r\n\r\n{"jsonrpc": "2.0", "id": 1')
    peer.process.stdin.close()
    assert await asyncio.wait_for(peer.process.wait(), 20) is not None


async def test_an_error_answer_to_the_servers_request_is_survived(env: dict[str, str]) -> None:
    """The client answers the server's `workspace/configuration` with an error: the server
    goes on with its defaults (`AgentProtocol.handle_message` dispatches error responses)."""
    peer = await RawPeer.start(env)
    capabilities = {"workspace": {"configuration": True}}
    params = {"processId": None, "rootUri": None, "capabilities": capabilities}
    await peer.response(peer.request("initialize", params))
    peer.send({"method": "initialized", "params": {}})
    while (message := await asyncio.wait_for(peer.read(), 20)).get("method") != (
        "workspace/configuration"
    ):
        pass
    peer.send({"id": message["id"], "error": {"code": -32603, "message": "client failed"}})
    # The request fails at once with the client's error (not after the server's timeout).
    while "client failed" not in json.dumps((await asyncio.wait_for(peer.read(), 5)).get("params")):
        pass
    await assert_still_serving(peer)
    assert await peer.close() == 0


def test_one_socket_for_stdin_and_stdout_loses_no_answer(
    env: dict[str, str], tmp_path: Path
) -> None:
    """A client may hand the server one socket as both stdin and stdout. The event loop's
    reader would make it non-blocking for both, and an answer bigger than the socket's buffer,
    written while the client is not reading, was lost (`stdio.loop_can_read`)."""
    source = "".join(f"def function_number_{i}(x):\n    return x\n" for i in range(3000))
    (tmp_path / "big.py").write_text(source)
    ours, theirs = socket.socketpair()
    server = subprocess.Popen(SERVER_COMMAND, stdin=theirs, stdout=theirs, env=env)
    theirs.close()
    ours.settimeout(30)
    stream = ours.makefile("rwb")

    def send(message: dict[str, object]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        stream.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        stream.flush()

    def read() -> dict[str, object]:
        length = 0
        while (line := stream.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return json.loads(stream.read(length))

    try:
        send({"id": 1, "method": "initialize", "params": {"processId": None, "capabilities": {}}})
        uri = (tmp_path / "big.py").as_uri()
        document = {"uri": uri, "languageId": "python", "version": 1, "text": source}
        send({"method": "textDocument/didOpen", "params": {"textDocument": document}})
        for n in range(2, 6):
            params = {"textDocument": {"uri": uri}}
            send({"id": n, "method": "textDocument/documentSymbol", "params": params})
        time.sleep(2)  # not reading: the answers (about 500 KB each) fill the socket
        answers = {}
        while len(answers) < 4:
            message = read()
            if message.get("id") in (2, 3, 4, 5) and "method" not in message:
                answers[message["id"]] = len(message["result"])  # type: ignore[arg-type]
        assert answers == {2: 3000, 3: 3000, 4: 3000, 5: 3000}
    finally:
        server.kill()
        server.wait(10)
        ours.close()
