"""Background shells: `Bash` with `run_in_background`, read with `TaskOutput` (older name
`BashOutput`), stopped with `TaskStop` (older names `KillShell`, `KillBash`).

A background command runs in its own process group with its output going to a file in the
session's task folder. The tasks belong to the session (`BackgroundTasks`, one per Agent): they
are listed by `/tasks`, and the loop stops them all when the session ends, so none is left
orphaned. Starting one is a Bash call like any other, with Bash's permission check.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsp_agent.agent.tools import proc
from lsp_agent.agent.tools.base import ToolContext, ToolError, ToolResult
from lsp_agent.agent.tools.common import BaseTool, arg

MAX_OUTPUT_CHARS = 30_000
DEFAULT_WAIT_MS = 30_000
MAX_WAIT_MS = 600_000


@dataclass
class BackgroundTask:
    id: str
    command: str
    description: str
    output_path: Path
    process: asyncio.subprocess.Process
    started: float = field(default_factory=time.time)
    stopped: bool = False
    read_offset: int = 0  # what BashOutput has already shown

    @property
    def status(self) -> str:
        code = self.process.returncode
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


class BackgroundTasks:
    """The background processes of one session."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.tasks: dict[str, BackgroundTask] = {}
        self._ids = itertools.count(1)

    async def start(
        self,
        command: str,
        cwd: Path,
        description: str = "",
        path_prefix: tuple[str, ...] = (),
        extra_env: tuple[tuple[str, str], ...] = (),
    ) -> BackgroundTask:
        self.directory.mkdir(parents=True, exist_ok=True)
        task_id = f"bash_{next(self._ids)}"
        output_path = self.directory / f"{task_id}.output"
        with output_path.open("wb") as output:
            process = await asyncio.create_subprocess_exec(
                shutil.which("bash") or "/bin/sh",
                "-c",
                command,
                cwd=cwd,
                env=proc.tool_env(path_prefix=path_prefix, extra=extra_env),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=output,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,  # its own group: stopping it stops its children too
            )
        task = BackgroundTask(task_id, command, description, output_path, process)
        self.tasks[task_id] = task
        return task

    def get(self, task_id: str) -> BackgroundTask:
        task = self.tasks.get(task_id)
        if task is None:
            known = ", ".join(self.tasks) or "none"
            raise ToolError(f"No background task {task_id!r} in this session (tasks: {known})")
        return task

    async def stop(self, task: BackgroundTask) -> None:
        if task.process.returncode is None:
            task.stopped = True
        # The whole group, even when its shell has exited: `server &` leaves the server running
        # in it after the shell is gone.
        proc.kill_group(task.process)
        with contextlib.suppress(ProcessLookupError):
            await task.process.wait()

    async def stop_all(self) -> None:
        for task in list(self.tasks.values()):
            await self.stop(task)

    def listing(self) -> list[dict[str, Any]]:
        return [
            {
                "id": t.id,
                "command": t.command,
                "description": t.description,
                "status": t.status,
                "exitCode": t.process.returncode,
                "output": str(t.output_path),
            }
            for t in self.tasks.values()
        ]


def _tasks(ctx: ToolContext) -> BackgroundTasks:
    if ctx.background is None:
        raise ToolError("background tasks are not available in this session")
    return ctx.background


def started_message(task: BackgroundTask) -> str:
    return (
        f"Command running in background with ID: {task.id}. Output is being written to: "
        f"{task.output_path}. Read it with TaskOutput and stop it with TaskStop."
    )


def _report(task: BackgroundTask, output: str, retrieval: str) -> str:
    code = task.process.returncode
    lines = [
        f"<retrieval_status>{retrieval}</retrieval_status>",
        f"<task_id>{task.id}</task_id>",
        "<task_type>local_bash</task_type>",
        f"<status>{task.status}</status>",
    ]
    if code is not None:
        lines.append(f"<exit_code>{code}</exit_code>")
    lines.append(f"<output>\n{output.rstrip()}\n</output>" if output.strip() else "<output/>")
    return "\n".join(lines)


class TaskOutput(BaseTool):
    name = "TaskOutput"
    aliases = ("BashOutput",)
    description = (
        "Reads the output of a background task (a Bash command started with "
        "run_in_background). `block` (default true) waits until the task ends or `timeout` "
        "milliseconds pass (default 30000). Also callable as BashOutput with `bash_id`, which "
        "returns only the output since the last read, optionally filtered by a regex."
    )
    input_schema = {
        "type": "object",
        "properties": {
            "task_id": {"type": "string", "description": "The background task's ID"},
            "block": {"type": "boolean", "description": "Wait for the task to end"},
            "timeout": {"type": "number", "description": "Longest wait in milliseconds"},
            "bash_id": {"type": "string", "description": "Older name of task_id"},
            "filter": {"type": "string", "description": "Only lines matching this regex"},
        },
        "required": [],  # task_id, or bash_id from older models
        "additionalProperties": False,
    }

    async def call(self, tool_input: dict[str, Any], ctx: ToolContext) -> ToolResult:
        tasks = _tasks(ctx)
        incremental = "bash_id" in tool_input  # BashOutput: what is new since the last read
        task_id = arg(tool_input, "bash_id" if incremental else "task_id", str)
        task = tasks.get(task_id)
        block = arg(tool_input, "block", bool, not incremental)
        timeout_ms = min(arg(tool_input, "timeout", (int, float), DEFAULT_WAIT_MS), MAX_WAIT_MS)
        retrieval = "success"
        if block and task.process.returncode is None:
            try:
                await asyncio.wait_for(asyncio.shield(task.process.wait()), timeout_ms / 1000)
            except TimeoutError:
                retrieval = "timeout"
        if incremental:
            output = task.output(task.read_offset)
            task.read_offset += len(output.encode("utf-8"))
        else:
            output = task.output()
        pattern = arg(tool_input, "filter", str, "")
        if pattern:
            try:
                regex = re.compile(pattern)
            except re.error as exc:
                raise ToolError(f"filter is not a valid regex: {exc}") from None
            output = "\n".join(line for line in output.splitlines() if regex.search(line))
        return ToolResult(_report(task, output, retrieval))


class TaskStop(BaseTool):
    name = "TaskStop"
    aliases = ("KillShell", "KillBash")
    description = "Stops a background task (and every process it started) by its ID."
    input_schema = {
        "type": "object",
        "properties": {
            "task_id": {"type": "string", "description": "The background task's ID"},
            "shell_id": {"type": "string", "description": "Older name of task_id"},
        },
        "required": [],  # task_id, or shell_id from older models
        "additionalProperties": False,
    }

    async def call(self, tool_input: dict[str, Any], ctx: ToolContext) -> ToolResult:
        tasks = _tasks(ctx)
        task_id = tool_input.get("task_id") or tool_input.get("shell_id")
        if not isinstance(task_id, str) or not task_id:
            raise ToolError("missing required parameter `task_id`")
        task = tasks.get(task_id)
        if task.process.returncode is not None:
            return ToolResult(f"Task {task.id} had already ended ({task.status}).")
        await tasks.stop(task)
        return ToolResult(f"Stopped task {task.id} ({task.command}).")
