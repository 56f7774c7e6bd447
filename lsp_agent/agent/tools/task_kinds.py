"""The two kinds of background task a session holds: a shell command (`ShellTask`, from Bash
with `run_in_background` or one moved there at its timeout) and a subagent (`AgentTask`, from
Agent with `run_in_background`). Both write to an output file the model can Read, and both are
waited for, read and stopped the same way, so TaskOutput and TaskStop need not know which."""

from __future__ import annotations

import asyncio
import contextlib
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from lsp_agent.agent.ports import Cancelled, CancelToken
from lsp_agent.agent.tools import proc

MAX_OUTPUT_CHARS = 30_000


class SessionTask(ABC):
    task_type = ""  # Claude Code's name in TaskOutput's report: local_bash, local_agent

    def __init__(self, task_id: str, command: str, description: str, output_path: Path) -> None:
        self.id = task_id
        self.command = command
        self.description = description
        self.output_path = output_path
        self.started = time.time()
        self.stopped = False
        self.read_offset = 0  # what BashOutput has already shown
        self.notified = False  # the model knows it has ended (a notice, TaskOutput, TaskStop)

    @property
    @abstractmethod
    def exit_code(self) -> int | None:
        """None while running."""

    @abstractmethod
    async def wait(self) -> None: ...

    @abstractmethod
    async def stop(self) -> None:
        """End it (and all it started); returns once it has ended."""

    @property
    def running(self) -> bool:
        return self.exit_code is None

    @property
    def status(self) -> str:
        code = self.exit_code
        if code is None:
            return "running"
        if self.stopped:
            return "killed"
        return "completed" if code == 0 else "failed"

    def output(self, start: int = 0) -> str:
        try:
            with self.output_path.open("rb") as file:
                file.seek(start)
                data = file.read()
        except OSError:
            return ""
        text = data.decode("utf-8", errors="replace")
        if len(text) > MAX_OUTPUT_CHARS:
            half = MAX_OUTPUT_CHARS // 2
            dropped = len(text) - MAX_OUTPUT_CHARS
            text = f"{text[:half]}\n... [{dropped} characters truncated] ...\n{text[-half:]}"
        return text

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.task_type,
            "command": self.command,
            "description": self.description,
            "status": self.status,
            "exitCode": self.exit_code,
            "output": str(self.output_path),
        }


class ShellTask(SessionTask):
    task_type = "local_bash"

    def __init__(
        self,
        task_id: str,
        command: str,
        description: str,
        output_path: Path,
        process: asyncio.subprocess.Process,
    ) -> None:
        super().__init__(task_id, command, description, output_path)
        self.process = process

    @property
    def exit_code(self) -> int | None:
        return self.process.returncode

    async def wait(self) -> None:
        await self.process.wait()

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.stopped = True
        # The whole group, even when its shell has exited: `server &` leaves the server running
        # in it after the shell is gone.
        proc.kill_group(self.process)
        with contextlib.suppress(ProcessLookupError):
            await self.process.wait()


AgentRun = Callable[[CancelToken], Awaitable[tuple[str, bool]]]
"""Runs a subagent to its end under the given token: its final text and whether it failed."""


class AgentTask(SessionTask):
    """A subagent running beside the conversation; its final report goes to the output file."""

    task_type = "local_agent"

    def __init__(
        self, task_id: str, command: str, description: str, output_path: Path, run: AgentRun
    ) -> None:
        super().__init__(task_id, command, description, output_path)
        self.cancel = CancelToken()
        self._code: int | None = None
        output_path.write_text("", encoding="utf-8")
        self._task = asyncio.create_task(self._run(run), name=f"agent task {task_id}")

    @property
    def exit_code(self) -> int | None:
        return self._code

    async def _run(self, run: AgentRun) -> None:
        try:
            text, failed = await run(self.cancel)
        except (asyncio.CancelledError, Cancelled):
            self.stopped = True
            text, failed = "The agent was stopped.", True
        except Exception as exc:  # the task's own failure, reported by TaskOutput, not raised
            text, failed = f"The agent failed: {exc}", True
        if self.cancel.cancelled:
            self.stopped = True
        with contextlib.suppress(OSError):
            self.output_path.write_text(text or "(the agent returned no text)", encoding="utf-8")
        self._code = 1 if failed else 0

    async def wait(self) -> None:
        await asyncio.shield(self._task)

    async def stop(self) -> None:
        if self._code is None:
            self.stopped = True
            self.cancel.cancel("stopped with TaskStop or the session's end")
            self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
