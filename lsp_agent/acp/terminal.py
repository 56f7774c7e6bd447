"""Bash in a client terminal (`terminal/create`, wait, output, kill, release), for clients that
offer terminals: the user watches the command run in the editor.

The engine's Bash decides everything but where the command runs: its input checks, timeout
and the result it reports to the model (`bash._result`) are reused; the permission rules were
applied before the tool runs, as for any tool. A timeout or a cancel kills the terminal's
command; the terminal is always released.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any, Protocol

from acp import schema

from lsp_agent.agent.ports import Cancelled
from lsp_agent.agent.tools import bash, proc
from lsp_agent.agent.tools.base import ToolContext, ToolError, ToolResult
from lsp_agent.agent.tools.common import arg

OUTPUT_BYTE_LIMIT = 4 * bash.MAX_OUTPUT_CHARS


class TerminalClient(Protocol):
    async def create_terminal(self, command: str, session_id: str, **kwargs: Any) -> Any: ...
    async def wait_for_terminal_exit(self, session_id: str, terminal_id: str) -> Any: ...
    async def terminal_output(self, session_id: str, terminal_id: str) -> Any: ...
    async def kill_terminal(self, session_id: str, terminal_id: str) -> Any: ...
    async def release_terminal(self, session_id: str, terminal_id: str) -> Any: ...


class TerminalBash(bash.Bash):
    def __init__(
        self,
        client: TerminalClient,
        session_id: str,
        show_terminal: Callable[[str, str], None],
    ) -> None:
        self.client, self.session_id, self.show_terminal = client, session_id, show_terminal

    async def call(self, tool_input: dict[str, Any], ctx: ToolContext) -> ToolResult:
        command = arg(tool_input, "command", str)
        timeout_ms = arg(tool_input, "timeout", (int, float), bash.DEFAULT_TIMEOUT_MS)
        if arg(tool_input, "run_in_background", bool, False):
            raise ToolError("run_in_background is not supported; run it in the foreground.")
        if not command.strip() or timeout_ms <= 0:
            raise ToolError("command must not be empty and timeout must be positive")
        timeout_ms = min(timeout_ms, bash.MAX_TIMEOUT_MS)
        created = await self.client.create_terminal(
            command="bash",
            args=["-c", command],
            cwd=str(ctx.cwd),
            output_byte_limit=OUTPUT_BYTE_LIMIT,
            session_id=self.session_id,
        )
        terminal = {"session_id": self.session_id, "terminal_id": created.terminal_id}
        self.show_terminal(ctx.tool_use_id, created.terminal_id)
        try:
            done = await self._finish(terminal, timeout_ms / 1000, ctx)
        finally:
            with contextlib.suppress(Exception):  # a client gone away has nothing to release
                await self.client.release_terminal(**terminal)
        return bash._result(command, done, timeout_ms)  # reported to the model as headless

    async def _finish(
        self, terminal: dict[str, str], timeout_s: float, ctx: ToolContext
    ) -> proc.Finished:
        wait = asyncio.ensure_future(self.client.wait_for_terminal_exit(**terminal))
        stop = asyncio.ensure_future(ctx.cancel.wait())
        finished, _ = await asyncio.wait(
            {wait, stop}, timeout=timeout_s, return_when="FIRST_COMPLETED"
        )
        stop.cancel()
        if wait not in finished:
            wait.cancel()
            await self.client.kill_terminal(**terminal)
            if stop in finished:
                raise Cancelled(ctx.cancel.reason)
        output = await self.client.terminal_output(**terminal)
        if wait not in finished:
            return proc.Finished(output.output, "", None, timed_out=True)
        status: schema.WaitForTerminalExitResponse = wait.result()
        # Killed by a signal: the negative number bash._result reports as such.
        code = status.exit_code if status.exit_code is not None else -_signal(status.signal)
        return proc.Finished(output.output, "", code, timed_out=False)


def _signal(name: str | None) -> int:
    import signal

    with contextlib.suppress(KeyError, TypeError):
        return int(signal.Signals[str(name)])
    return 1
