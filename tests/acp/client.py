"""A scripted ACP client: `lsp-agent acp` as a real subprocess, newline-delimited JSON-RPC on
its stdio, every message it sends checked against the protocol's published JSON schema.

The client answers the agent's requests (`session/request_permission`, `fs/*`) with the
handlers a test gives, records every `session/update`, and lets a test wait for an update
rather than sleep.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import Awaitable, Callable
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

_SCRIPT = Path(sys.executable).parent / "lsp-agent"
COMMAND = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "lsp_agent"]
# The result type of each method the client calls, as the schema names it.
RESULTS = {
    "initialize": "InitializeResponse",
    "session/new": "NewSessionResponse",
    "session/load": "LoadSessionResponse",
    "session/resume": "ResumeSessionResponse",
    "session/list": "ListSessionsResponse",
    "session/close": "CloseSessionResponse",
    "session/set_mode": "SetSessionModeResponse",
    "session/set_config_option": "SetSessionConfigOptionResponse",
    "session/prompt": "PromptResponse",
}
# The params type of each method the agent calls on the client.
AGENT_CALLS = {
    "session/update": "SessionNotification",
    "session/request_permission": "RequestPermissionRequest",
    "fs/read_text_file": "ReadTextFileRequest",
    "fs/write_text_file": "WriteTextFileRequest",
    "terminal/create": "CreateTerminalRequest",
    "terminal/output": "TerminalOutputRequest",
    "terminal/wait_for_exit": "WaitForTerminalExitRequest",
    "terminal/kill": "KillTerminalRequest",
    "terminal/release": "ReleaseTerminalRequest",
}
Handler = Callable[[dict[str, Any]], Awaitable[Any]]


def schema_path() -> Path | None:
    """The published schema, from the reference copy beside the repository (`shared/`, as CI
    lays it out); None in a checkout without it, where messages go unvalidated."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "reference" / "acp" / "schema-v1.json"
        if candidate.is_file():
            return candidate
    return None


@cache
def _validator(definition: str | None) -> jsonschema.protocols.Validator | None:
    path = schema_path()
    if path is None:
        return None
    document = json.loads(path.read_text(encoding="utf-8"))
    if definition is None:  # any message an agent may send
        target = {**document["anyOf"][0], "$defs": document["$defs"]}
    else:
        target = {"$ref": f"#/$defs/{definition}", "$defs": document["$defs"]}
    return jsonschema.Draft202012Validator(target)


def check(message: Any, definition: str | None = None) -> None:
    validator = _validator(definition)
    if validator is None:
        return
    errors = sorted(validator.iter_errors(message), key=lambda e: e.path)
    assert not errors, f"{definition or 'agent message'} breaks the schema: {errors[0].message}"


class RpcError(Exception):
    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(f"{error.get('code')}: {error.get('message')}")
        self.code = error.get("code")
        self.data = error.get("data")


class AcpClient:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.updates: list[dict[str, Any]] = []  # session/update params, in order
        self.calls: list[tuple[str, dict[str, Any]]] = []  # agent -> client requests
        self.handlers: dict[str, Handler] = {}
        self.raw: list[dict[str, Any]] = []
        self._pending: dict[int, tuple[str, asyncio.Future[Any]]] = {}
        self._next_id = 0
        self._changed = asyncio.Condition()
        self._answering: set[asyncio.Task[None]] = set()
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def start(cls, env: dict[str, str], *args: str) -> AcpClient:
        process = await asyncio.create_subprocess_exec(
            *COMMAND,
            "acp",
            *args,
            env=env,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            limit=2**24,
        )
        return cls(process)

    # -- sending ----------------------------------------------------------------------------

    def send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"jsonrpc": "2.0", **message}).encode() + b"\n")

    async def request(self, method: str, params: Any, *, timeout: float = 60) -> Any:
        self._next_id += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[self._next_id] = (method, future)
        self.send({"id": self._next_id, "method": method, "params": params})
        return await asyncio.wait_for(future, timeout)

    def notify(self, method: str, params: Any) -> None:
        self.send({"method": method, "params": params})

    async def initialize(self, fs: bool = False, terminal: bool = False) -> dict[str, Any]:
        caps = {"fs": {"readTextFile": fs, "writeTextFile": fs}, "terminal": terminal}
        return dict(
            await self.request(
                "initialize",
                {"protocolVersion": 1, "clientCapabilities": caps, "clientInfo": _INFO},
            )
        )

    async def new_session(self, cwd: Path, **extra: Any) -> str:
        params = {"cwd": str(cwd), "mcpServers": [], **extra}
        result = await self.request("session/new", params)
        return str(result["sessionId"])

    async def prompt(self, session_id: str, text: str) -> dict[str, Any]:
        params = {"sessionId": session_id, "prompt": [{"type": "text", "text": text}]}
        return dict(await self.request("session/prompt", params))

    # -- what came back ---------------------------------------------------------------------

    def kinds(self, kind: str) -> list[dict[str, Any]]:
        return [u["update"] for u in self.updates if u["update"]["sessionUpdate"] == kind]

    def text(self) -> str:
        return "".join(u["content"]["text"] for u in self.kinds("agent_message_chunk"))

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 60) -> None:
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(predicate)

    async def close(self) -> int:
        """Close stdin (the client goes away) and wait for the agent to exit."""
        assert self.process.stdin is not None
        with contextlib.suppress(ConnectionError):
            self.process.stdin.close()
        code = await asyncio.wait_for(self.process.wait(), 30)
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader
        return code

    async def stderr(self) -> str:
        assert self.process.stderr is not None
        return (await self.process.stderr.read()).decode(errors="replace")

    # -- reading ----------------------------------------------------------------------------

    async def _read(self) -> None:
        assert self.process.stdout is not None
        while line := await self.process.stdout.readline():
            message = json.loads(line)
            self.raw.append(message)
            check(message)
            await self._dispatch(message)
            async with self._changed:
                self._changed.notify_all()

    async def _dispatch(self, message: dict[str, Any]) -> None:
        method = message.get("method")
        if method is None:
            self._answered(message)
        elif method in AGENT_CALLS:
            check(message["params"], AGENT_CALLS[method])
            if "id" in message:
                self.calls.append((method, message["params"]))
                task = asyncio.create_task(self._answer(message))
                self._answering.add(task)
                task.add_done_callback(self._answering.discard)
            else:
                self.updates.append(message["params"])

    def _answered(self, message: dict[str, Any]) -> None:
        method, future = self._pending.pop(message["id"])
        if "error" in message:
            future.set_exception(RpcError(message["error"]))
            return
        if method in RESULTS:
            check(message["result"], RESULTS[method])
        future.set_result(message["result"])

    async def _answer(self, message: dict[str, Any]) -> None:
        handler = self.handlers.get(message["method"])
        if handler is None:
            error = {"code": -32601, "message": f"no handler for {message['method']}"}
            self.send({"id": message["id"], "error": error})
            return
        self.send({"id": message["id"], "result": await handler(message["params"])})


_INFO = {"name": "scripted-test-client", "version": "1.0"}


def choose(option_id: str) -> Handler:
    """A permission handler that always picks `option_id`."""

    async def answer(params: dict[str, Any]) -> Any:
        ids = [o["optionId"] for o in params["options"]]
        assert option_id in ids, ids
        return {"outcome": {"outcome": "selected", "optionId": option_id}}

    return answer
