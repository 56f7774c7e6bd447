"""Running a subprocess for a tool: its own process group (so a timeout or a cancel kills the
children and grandchildren too), output captured with a bound on memory."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import tempfile
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from lsp_agent import credentials
from lsp_agent.agent.ports import Cancelled, CancelToken


@dataclass
class Finished:
    output: str
    stderr: str
    returncode: int | None  # None when killed by our timeout
    timed_out: bool


async def run(
    argv: Sequence[str],
    *,
    cwd: Path,
    timeout_s: float,
    cancel: CancelToken,
    env: Mapping[str, str] | None = None,
    head: int = 15_000,
    tail: int = 15_000,
    merge_stderr: bool = True,
) -> Finished:
    # Output goes to temp files, not pipes: a background job the command leaves behind would
    # hold a pipe open (and asyncio's wait() with it); a file it can keep writing to harmlessly.
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        spawn = asyncio.ensure_future(
            asyncio.create_subprocess_exec(
                *argv,
                cwd=cwd,
                env=dict(env) if env is not None else None,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=out,
                stderr=asyncio.subprocess.STDOUT if merge_stderr else err,
                start_new_session=True,  # its own group, which kill_group ends as a whole
            )
        )
        try:
            proc = await asyncio.shield(spawn)
        except asyncio.CancelledError:
            # Cancelled while the process was being started: it may already run (and have
            # started children) before we hold it, so finish starting it and end its group.
            with contextlib.suppress(Exception):
                kill_group(await spawn)
            raise
        timed_out = await _wait(proc, timeout_s, cancel)
        code = None if timed_out else proc.returncode
        return Finished(read_ends(out, head, tail), read_ends(err, 4000, 4000), code, timed_out)


async def _wait(proc: asyncio.subprocess.Process, timeout_s: float, cancel: CancelToken) -> bool:
    """Wait for exit; kill the group on timeout (returns True) or cancel (raises Cancelled).
    The group is killed after a normal exit too, ending background jobs it left running."""
    exited = await wait_or_timeout(proc, timeout_s, cancel)
    kill_group(proc)
    if not exited:
        await proc.wait()
    return not exited


async def wait_or_timeout(
    proc: asyncio.subprocess.Process, timeout_s: float, cancel: CancelToken
) -> bool:
    """Whether `proc` exited within `timeout_s`; on a timeout it is left running. A cancel (or
    our own task's) kills its group and raises."""
    exited = asyncio.create_task(proc.wait())
    cancelled = asyncio.create_task(cancel.wait())
    try:
        done, _ = await asyncio.wait(
            {exited, cancelled}, timeout=timeout_s, return_when=asyncio.FIRST_COMPLETED
        )
        if exited in done:
            return True
        if cancelled in done:
            kill_group(proc)
            raise Cancelled(cancel.reason)
        return False
    except asyncio.CancelledError:
        kill_group(proc)
        raise
    finally:
        exited.cancel()
        cancelled.cancel()


def read_ends(handle: IO[bytes], head: int, tail: int) -> str:
    """The first `head` and last `tail` bytes, with a note saying how much was left out."""
    size = handle.seek(0, os.SEEK_END)
    handle.seek(0)
    if size <= head + tail:
        return handle.read().decode("utf-8", errors="replace")
    first = handle.read(head).decode("utf-8", errors="replace")
    handle.seek(size - tail)
    last = handle.read(tail).decode("utf-8", errors="replace")
    dropped = size - head - tail
    return f"{first}\n\n... [{dropped} bytes of output truncated] ...\n\n{last}"


def kill_group(proc: asyncio.subprocess.Process) -> None:
    if hasattr(os, "killpg"):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    elif proc.returncode is None:  # no process groups (Windows): the command alone
        with contextlib.suppress(ProcessLookupError):
            proc.kill()


def tool_env(
    passthrough: Collection[str] = (),
    path_prefix: Collection[str] = (),
    extra: Collection[tuple[str, str]] = (),
) -> dict[str, str]:
    """The environment for commands the model runs: ours minus every provider credential but
    those the user passes through (a command printing its environment must not put them in the
    transcript), with pagers and editors that would wait for a terminal turned off.
    `path_prefix`: directories searched before PATH (plugins' `bin/`); `extra`: the settings'
    `env` (claude/settings_keys.py, credentials already left out)."""
    env = credentials.scrubbed(os.environ, passthrough)
    env.update(extra)
    env.update({"GIT_EDITOR": "true", "PAGER": "cat", "GIT_PAGER": "cat"})
    if path_prefix:
        env["PATH"] = os.pathsep.join([*path_prefix, env.get("PATH", os.defpath)])
    return env
