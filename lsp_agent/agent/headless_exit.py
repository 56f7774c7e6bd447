"""What headless `ask` does with background tasks once the model has answered, as `claude -p`
does (headless.md, "Background tasks at exit"):

- background agents are waited for, because their report is part of the answer: each time one
  ends, the model hears of it (a task notification) and answers again. The wait is capped at
  ten minutes, or `CLAUDE_CODE_PRINT_BG_WAIT_CEILING_MS` (0: no cap); past it they are stopped;
- background commands (a dev server, a watch build) get five seconds to end on their own, so a
  task that finishes right after the answer still writes its output; then they are stopped.

The caller's `Agent.aclose()` stops whatever is still running.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping

from lsp_agent.agent.loop import Agent
from lsp_agent.agent.options import AgentResult
from lsp_agent.agent.tools.task_kinds import AgentTask, SessionTask, ShellTask

CEILING_VARIABLE = "CLAUDE_CODE_PRINT_BG_WAIT_CEILING_MS"
DEFAULT_CEILING_MS = 600_000
COMMAND_GRACE_S = 5.0


def wait_ceiling(environ: Mapping[str, str], warn: Callable[[str], None]) -> float | None:
    """Seconds to wait for background agents; None: no cap."""
    raw = environ.get(CEILING_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_CEILING_MS / 1000
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        warn(
            f"{CEILING_VARIABLE}={raw!r} is not a whole number of milliseconds (>= 0); "
            f"waiting at most {DEFAULT_CEILING_MS} ms"
        )
        return DEFAULT_CEILING_MS / 1000
    return None if value == 0 else value / 1000


async def finish(
    agent: Agent,
    result: AgentResult,
    environ: Mapping[str, str],
    warn: Callable[[str], None],
) -> AgentResult:
    """`result` or, when background agents were still working, the model's last answer
    after hearing from them."""
    ceiling = wait_ceiling(environ, warn)
    deadline = None if ceiling is None else time.monotonic() + ceiling
    while not result.is_error:
        agents = _running(agent, AgentTask)
        if not agents:
            break
        left = None if deadline is None else max(0.0, deadline - time.monotonic())
        if not await _first_to_end(agents, left):
            names = ", ".join(task.id for task in agents)
            warn(
                f"stopping background agents still running after {ceiling:g} s: {names} "
                f"(raise {CEILING_VARIABLE} to wait longer, 0 for no limit)"
            )
            break
        result = await agent.hear_ended_tasks()
    commands = _running(agent, ShellTask)
    if commands:
        await asyncio.wait(
            [asyncio.ensure_future(t.wait()) for t in commands], timeout=COMMAND_GRACE_S
        )
    return result


def _running(agent: Agent, kind: type[AgentTask | ShellTask]) -> list[SessionTask]:
    background = agent.ctx.background
    if background is None:
        return []
    return [task for task in background.tasks.values() if isinstance(task, kind) and task.running]


async def _first_to_end(tasks: list[SessionTask], timeout: float | None) -> bool:
    """Wait until one of `tasks` ends; False when `timeout` passed first."""
    waits = [asyncio.ensure_future(task.wait()) for task in tasks]
    done, pending = await asyncio.wait(waits, timeout=timeout, return_when="FIRST_COMPLETED")
    for wait in pending:
        wait.cancel()
    return bool(done)
