"""Users' MCP servers, connected through the official `mcp` SDK, their tools exposed as Tools
named `mcp__<server>__<tool>`.

The SDK is imported only when a server is configured. Each server lives in its own task, which
enters the SDK client's context and leaves it on `aclose` (the SDK needs both in one task); tool
calls may come from any task. A server that fails to start, or dies later, is reported (the
`problems` list, `on_problem`, `status()`) and the session goes on without it; calling its
tools then returns an error result naming the failure. Tool output beyond
`MAX_MCP_OUTPUT_TOKENS` (about 4 characters each; default 25000) is cut with a note.

Environment: `MCP_TIMEOUT` (ms) bounds a server's start-up (default 30 s), `MCP_TOOL_TIMEOUT`
(ms) each tool call (default: none; the run's cancellation still stops a call).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsp_agent import credentials
from lsp_agent.agent.claude.mcp_config import Approvals, McpConfig, McpServerConfig, load_mcp_config
from lsp_agent.agent.tools.base import ToolContext, ToolResult
from lsp_agent.paths import cache_dir

log = logging.getLogger(__name__)

ApproveServer = Callable[[McpServerConfig], Awaitable[bool]]
"""Asks the user whether a project (`.mcp.json`) server may run; the answer is remembered."""

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_STOP_GRACE_S = 10.0


def tool_name(server: str, tool: str) -> str:
    return f"mcp__{_UNSAFE.sub('_', server)}__{_UNSAFE.sub('_', tool)}"[:64]


def _env_seconds(name: str, default: float | None) -> float | None:
    try:
        return float(os.environ[name]) / 1000
    except (KeyError, ValueError):
        return default


def _max_output_chars() -> int:
    try:
        return int(os.environ.get("MAX_MCP_OUTPUT_TOKENS", "25000")) * 4
    except ValueError:
        return 100_000


@dataclass
class ServerStatus:
    name: str
    scope: str
    transport: str
    state: str  # connected | failed | needs-approval | declined | disabled | stopped
    error: str = ""
    tools: list[str] = field(default_factory=list)


class McpTool:
    """One tool of a connected server."""

    read_only = False

    def __init__(self, connection: _Connection, remote: Any) -> None:
        self.connection = connection
        self.remote_name: str = remote.name
        self.name = tool_name(connection.server.name, remote.name)
        self.description: str = remote.description or f"{remote.name} (MCP server)"
        self.input_schema: dict[str, Any] = dict(remote.input_schema or {"type": "object"})

    async def run(self, tool_input: dict[str, Any], ctx: ToolContext) -> ToolResult:
        return await self.connection.call(self.remote_name, tool_input)


class _Connection:
    def __init__(self, server: McpServerConfig, cwd: Path, on_problem: Callable[[str], None]):
        self.server = server
        self.cwd = cwd
        self.on_problem = on_problem
        self.state = "starting"
        self.error = ""
        self.remote_tools: list[Any] = []
        self.client: Any = None
        self.log_path = cache_dir() / "mcp-logs" / f"{_UNSAFE.sub('_', server.name)}.log"
        self._ready = asyncio.Event()
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self, timeout: float | None) -> None:
        self._task = asyncio.create_task(self._hold(), name=f"mcp:{self.server.name}")
        try:
            async with asyncio.timeout(timeout):
                await self._ready.wait()
        except TimeoutError:
            self._fail(f"did not start within {timeout:g} s")
            self._task.cancel()  # still connecting: nothing to shut down gracefully
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    async def _hold(self) -> None:
        from mcp import Client

        try:
            async with contextlib.AsyncExitStack() as stack:
                transport = self._transport(stack)
                client = await stack.enter_async_context(Client(transport))
                self.remote_tools = await _list_tools(client)
                self.client, self.state = client, "connected"
                self._ready.set()
                await self._stop.wait()
        except Exception as exc:
            self._fail(_describe(exc) + self._log_tail())
        finally:
            self.client = None
            if self.state == "connected":
                self.state = "stopped"
            self._ready.set()

    def _transport(self, stack: contextlib.AsyncExitStack) -> Any:
        server = self.server
        if server.transport == "stdio":
            from mcp.client.stdio import StdioServerParameters, stdio_client

            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            errlog = stack.enter_context(self.log_path.open("w", encoding="utf-8"))
            params = StdioServerParameters(
                command=server.command,
                args=list(server.args),
                # Credentials only when the server's own `env` names them.
                env={**credentials.scrubbed(os.environ), **server.env},
                cwd=self.cwd,
            )
            return stdio_client(params, errlog=errlog)
        if server.transport == "sse":
            from mcp.client.sse import sse_client

            return sse_client(server.url, headers=server.headers)
        import httpx2
        from mcp.client.streamable_http import streamable_http_client

        http = httpx2.AsyncClient(headers=server.headers, timeout=httpx2.Timeout(30, read=300))
        stack.push_async_callback(http.aclose)
        return streamable_http_client(server.url, http_client=http)

    def _log_tail(self) -> str:
        try:
            lines = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return ""
        tail = "\n".join(lines[-5:]).strip()
        return f"; its stderr ends with:\n{tail}" if tail else ""

    def _fail(self, message: str) -> None:
        if self.state == "failed":
            return
        self.state, self.error = "failed", message
        self.on_problem(f"MCP server {self.server.name!r} failed: {message}")

    async def call(self, name: str, arguments: dict[str, Any]) -> ToolResult:
        from mcp import MCPError
        from mcp_types import CONNECTION_CLOSED

        client = self.client
        if client is None:
            why = self.error or self.state
            return ToolResult(f"MCP server {self.server.name!r} is not running: {why}", True)
        try:
            result = await client.call_tool(
                name, arguments, read_timeout_seconds=_env_seconds("MCP_TOOL_TIMEOUT", None)
            )
        except MCPError as exc:
            if exc.code == CONNECTION_CLOSED:
                self.client = None
                self._fail("the server exited" + self._log_tail())
                self._stop.set()
            return ToolResult(f"MCP server {self.server.name!r}: {exc.error.message}", True)
        return convert_result(result.content, bool(result.is_error), _max_output_chars())

    async def stop(self) -> None:
        self._stop.set()
        task = self._task
        if task is None or task.done():
            return
        try:
            async with asyncio.timeout(_STOP_GRACE_S):
                await asyncio.shield(task)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


async def _list_tools(client: Any) -> list[Any]:
    tools: list[Any] = []
    cursor = None
    while True:
        page = await client.list_tools(cursor=cursor)
        tools += page.tools
        cursor = page.next_cursor
        if not cursor:
            return tools


def _describe(exc: BaseException) -> str:
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return str(exc) or type(exc).__name__


def convert_result(content: list[Any], is_error: bool, limit: int) -> ToolResult:
    """MCP content blocks as Messages API tool_result content, text cut at `limit` chars."""
    blocks: list[dict[str, Any]] = []
    budget = limit
    for item in content:
        kind = getattr(item, "type", "")
        if kind == "image":
            source = {"type": "base64", "media_type": item.mime_type, "data": item.data}
            blocks.append({"type": "image", "source": source})
            continue
        text = _text_of(item)
        if len(text) > budget:
            note = f"\n[output truncated: {len(text) - budget} more characters; MCP output is "
            text = text[:budget] + note + "limited by MAX_MCP_OUTPUT_TOKENS]"
        budget = max(0, budget - len(text))
        blocks.append({"type": "text", "text": text})
    if all(b["type"] == "text" for b in blocks):
        return ToolResult("\n".join(b["text"] for b in blocks), is_error)
    return ToolResult(blocks, is_error)


def _text_of(item: Any) -> str:
    kind = getattr(item, "type", "")
    if kind == "text":
        return str(item.text)
    if kind == "resource":
        resource = item.resource
        text = getattr(resource, "text", None)
        return str(text) if text is not None else f"[binary resource {resource.uri}]"
    if kind == "resource_link":
        return f"[resource {item.uri}]"
    dump = item.model_dump(mode="json") if hasattr(item, "model_dump") else item
    return json.dumps(dump, default=str)


class McpServers:
    """The MCP servers of one project (or session): start, list tools, stop."""

    def __init__(
        self,
        config: McpConfig,
        *,
        project: Path,
        approve: ApproveServer | None = None,
        approvals: Approvals | None = None,
        on_problem: Callable[[str], None] | None = None,
    ) -> None:
        self.config = config
        self.project = project
        self.approve = approve
        self.approvals = approvals or Approvals()
        self.problems: list[str] = list(config.problems)
        self._on_problem = on_problem
        self._connections: dict[str, _Connection] = {}
        self._statuses: dict[str, ServerStatus] = {}

    @classmethod
    def for_project(
        cls,
        project: Path,
        *,
        trusted: bool = True,
        environ: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> McpServers:
        config = load_mcp_config(project, trusted=trusted, environ=environ)
        return cls(config, project=project, **kwargs)

    def report(self, message: str) -> None:
        self.problems.append(message)
        log.warning("%s", message)
        if self._on_problem is not None:
            self._on_problem(message)

    async def start(self) -> None:
        """Connect every approved server, in parallel. Never raises for a server's failure."""
        chosen = [s for s in self.config.servers.values() if await self._allowed(s)]
        timeout = _env_seconds("MCP_TIMEOUT", 30.0)
        for server in chosen:
            self._connections[server.name] = _Connection(server, self.project, self.report)
        await asyncio.gather(*(c.start(timeout) for c in self._connections.values()))

    async def _allowed(self, server: McpServerConfig) -> bool:
        if server.scope != "project":
            return True
        config = self.config
        if server.name in config.disabled:
            return self._skip(server, "disabled", "disabled in settings")
        if config.enable_all_project or server.name in config.enabled:
            return True
        remembered = self.approvals.get(self.project, server)
        if remembered is None and self.approve is not None:
            remembered = await self.approve(server)
            self.approvals.set(self.project, server, remembered)
        if remembered is None:
            self.report(
                f"MCP server {server.name!r} from .mcp.json is not approved yet, so it is not "
                "started: approve it in the editor, or list it in enabledMcpjsonServers in "
                ".claude/settings.local.json"
            )
            return self._skip(server, "needs-approval", "project server not approved yet")
        return remembered or self._skip(server, "declined", "declined by the user")

    def _skip(self, server: McpServerConfig, state: str, why: str) -> bool:
        self._statuses[server.name] = ServerStatus(
            server.name, server.scope, server.transport, state, why
        )
        return False

    def tools(self) -> list[McpTool]:
        return [
            McpTool(c, remote)
            for c in self._connections.values()
            if c.state == "connected"
            for remote in c.remote_tools
        ]

    def status(self) -> list[ServerStatus]:
        statuses = dict(self._statuses)
        for name, c in self._connections.items():
            tools = [tool_name(name, t.name) for t in c.remote_tools]
            statuses[name] = ServerStatus(
                name, c.server.scope, c.server.transport, c.state, c.error, tools
            )
        return [statuses[name] for name in sorted(statuses)]

    async def aclose(self) -> None:
        await asyncio.gather(*(c.stop() for c in self._connections.values()))
