"""A bare JSON-RPC peer over the server's stdio, for input no well-behaved client would send."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from tests.e2e.conftest import SERVER_COMMAND


class RawPeer:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.next_id = 0

    @classmethod
    async def start(cls, env: dict[str, str], stderr: int | None = None) -> RawPeer:
        """`stderr`: a file descriptor for the server's log (default: this process's stderr)."""
        process = await asyncio.create_subprocess_exec(
            *SERVER_COMMAND,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=sys.stderr.fileno() if stderr is None else stderr,
            env=env,
        )
        return cls(process)

    def send_bytes(self, body: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def send(self, message: dict[str, Any]) -> None:
        self.send_bytes(json.dumps({"jsonrpc": "2.0", **message}).encode())

    def request(self, method: str, params: Any = None) -> int:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        return self.next_id

    async def read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        length = 0
        while True:
            line = await self.process.stdout.readline()
            if not line:
                raise EOFError("server closed its stdout")
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
            elif line in (b"\r\n", b"\n"):
                break
        return json.loads(await self.process.stdout.readexactly(length))

    async def response(self, request_id: int | None, timeout: float = 20) -> dict[str, Any]:
        """The response to `request_id`, skipping notifications and server requests."""

        async def find() -> dict[str, Any]:
            while True:
                message = await self.read()
                if "method" not in message and message.get("id") == request_id:
                    return message

        return await asyncio.wait_for(find(), timeout)

    async def initialize(self) -> dict[str, Any]:
        result = await self.response(
            self.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
        )
        self.send({"method": "initialized", "params": {}})
        return result

    async def close(self) -> int:
        if self.process.returncode is None:
            await self.response(self.request("shutdown"))
            self.send({"method": "exit"})
        return await asyncio.wait_for(self.process.wait(), 20)
