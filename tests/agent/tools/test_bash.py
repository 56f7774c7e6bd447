"""Bash against real subprocesses: exit codes, truncation, timeouts and cancels that kill the
whole process group (grandchildren included)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
from pathlib import Path

import pytest

from lsp_agent.agent.ports import Cancelled
from lsp_agent.agent.tools.base import ToolContext
from lsp_agent.agent.tools.bash import Bash


async def check(ctx: ToolContext, command: str, expected: str, is_error: bool) -> None:
    result = await Bash().run({"command": command}, ctx)
    assert result.content == expected
    assert result.is_error is is_error


CASES = {
    "output": ("echo hi; echo err >&2", "hi\nerr", False),
    "runs in cwd": ('basename "$PWD"', "ws", False),
    "no output": ("true", "(no output)", False),
    "failure": ("echo boom; exit 3", "boom\nExit code 3", True),
    "false is an error": ("false", "Exit code 1", True),
    "grep no match is an answer": ("echo a | grep b", "Exit code 1", False),
    "wrapped test": ("timeout 5 test -e nothing-here", "Exit code 1", False),
    "diff differs is an answer": ("diff <(echo a) <(echo b) >/dev/null", "Exit code 1", False),
    "grep exit 2 is an error": ("grep x no-such-file 2>/dev/null", "Exit code 2", True),
    "api key hidden": ("echo ${ANTHROPIC_API_KEY:-unset}", "unset", False),
    "no stdin": ("cat", "(no output)", False),
}


@pytest.mark.parametrize(("command", "expected", "is_error"), CASES.values(), ids=CASES.keys())
async def test_bash(
    ctx: ToolContext, monkeypatch: pytest.MonkeyPatch, command: str, expected: str, is_error: bool
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test-secret")
    await check(ctx, command, expected, is_error)


async def test_long_output_truncated(ctx: ToolContext) -> None:
    result = await Bash().run({"command": "head -c 100000 /dev/zero | tr '\\0' x; echo END"}, ctx)
    assert isinstance(result.content, str)
    assert "bytes of output truncated" in result.content
    assert len(result.content) < 30_200
    assert result.content.startswith("xxx") and result.content.endswith("xEND")


@pytest.mark.parametrize(
    ("tool_input", "error"),
    [
        ({"command": ""}, "command is empty"),
        ({"command": "ls", "timeout": -1}, "timeout must be"),
        ({"command": "ls", "timeout": "soon"}, "must be int or float"),
        ({"command": "ls", "run_in_background": True}, "not available in this session"),
    ],
)
async def test_bad_input(ctx: ToolContext, tool_input: dict[str, object], error: str) -> None:
    result = await Bash().run(tool_input, ctx)
    assert result.is_error and error in str(result.content)


def wait_dead(pid: int) -> bool:
    """Whether `pid` has terminated, waiting on a pidfd (an event, not a sleep)."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        ready, _, _ = select.select([fd], [], [], 30)
        return bool(ready)
    finally:
        os.close(fd)


async def test_timeout_kills_grandchild(ctx: ToolContext) -> None:
    pid_file = ctx.cwd / "grandchild.pid"
    # The grandchild is a child of a subshell, so it is not the shell's own job.
    command = f"( sleep 1000 & echo $! > {pid_file}; wait ) ; echo unreachable"
    result = await Bash().run({"command": command, "timeout": 3000}, ctx)
    assert result.is_error
    assert "timed out after 3s" in str(result.content)
    assert "unreachable" not in str(result.content)
    assert wait_dead(int(pid_file.read_text()))


async def test_cancel_kills_grandchild(ctx: ToolContext, tmp_path: Path) -> None:
    fifo = tmp_path / "pid.fifo"
    os.mkfifo(fifo)
    command = f"( sleep 1000 & echo $! > {fifo}; wait )"
    task = asyncio.create_task(Bash().run({"command": command}, ctx))
    pid = int(await asyncio.to_thread(fifo.read_text))
    ctx.cancel.cancel("user pressed stop")
    with pytest.raises(Cancelled, match="user pressed stop"):
        await task
    assert wait_dead(pid)


async def test_task_cancellation_kills_group(ctx: ToolContext, tmp_path: Path) -> None:
    fifo = tmp_path / "pid.fifo"
    os.mkfifo(fifo)
    task = asyncio.create_task(Bash().run({"command": f"sleep 1000 & echo $! > {fifo}; wait"}, ctx))
    pid = int(await asyncio.to_thread(fifo.read_text))
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert wait_dead(pid)


async def test_background_job_does_not_hold_the_call(ctx: ToolContext) -> None:
    pid_file = ctx.cwd / "bg.pid"
    result = await Bash().run({"command": f"sleep 1000 & echo $! > {pid_file}; echo started"}, ctx)
    assert result.content == "started"
    assert wait_dead(int(pid_file.read_text()))
