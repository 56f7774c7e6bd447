"""Background tasks: shells (`Bash` with `run_in_background`, or a command moved there at its
timeout) and subagents (`Agent` with `run_in_background`), read with `TaskOutput` (older name
`BashOutput`), stopped with `TaskStop` (older names `KillShell`, `KillBash`).

A background command runs in its own process group with its output going to a file in the
session's task folder; a background subagent writes its final report there. The tasks belong
to the session (`BackgroundTasks`, one per Agent): they are listed by `/tasks`, and the loop
stops them all when the session ends, so none is left orphaned. Starting one is a Bash (or
Agent) call like any other, with its permission check.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import re
import shutil
import uuid
from pathlib import Path
from typing import Any

from lsp_agent.agent.tools import proc
from lsp_agent.agent.tools.base import ToolContext, ToolError, ToolResult
from lsp_agent.agent.tools.common import BaseTool, arg
from lsp_agent.agent.tools.task_kinds import AgentRun, AgentTask, SessionTask, ShellTask

DEFAULT_WAIT_MS = 30_000
MAX_WAIT_MS = 600_000
# Output kept in the result when a command moves to the background at its timeout.
PARTIAL_OUTPUT_BYTES = 4_000


class BackgroundTasks:
    """The background tasks of one session: shell commands and subagents."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.tasks: dict[str, SessionTask] = {}
        self._ids: dict[str, itertools.count[int]] = {}

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._ids.setdefault(prefix, itertools.count(1)))}"

    async def spawn(
        self,
        command: str,
        cwd: Path,
        description: str = "",
        env: dict[str, str] | None = None,
    ) -> ShellTask:
        """A command started with its output going to a file, not yet one of the session's
        tasks: `adopt` makes it one (at once for `run_in_background`, or when a foreground
        command outlives its timeout)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        output_path = self.directory / f"foreground_{uuid.uuid4().hex}.output"
        with output_path.open("wb") as output:
            spawning = asyncio.ensure_future(
                asyncio.create_subprocess_exec(
                    shutil.which("bash") or "/bin/sh",
                    "-c",
                    command,
                    cwd=cwd,
                    env=env if env is not None else proc.tool_env(),
                    stdin=asyncio.subprocess.DEVNULL,
                    stdout=output,
                    stderr=asyncio.subprocess.STDOUT,
                    start_new_session=True,  # its own group: stopping it stops its children too
                )
            )
            try:
                process = await asyncio.shield(spawning)
            except asyncio.CancelledError:  # it may be running already: end it, as proc.run
                with contextlib.suppress(Exception):
                    proc.kill_group(await spawning)
                output_path.unlink(missing_ok=True)
                raise
        return ShellTask("", command, description, output_path, process)

    def adopt(self, task: ShellTask) -> ShellTask:
        task.id = self._new_id("bash")
        named = self.directory / f"{task.id}.output"
        # The process keeps writing through its open descriptor; on a system that cannot
        # rename an open file the output just keeps its first name.
        with contextlib.suppress(OSError):
            task.output_path = task.output_path.replace(named)
        self.tasks[task.id] = task
        return task

    def start_agent(self, command: str, description: str, run: AgentRun) -> AgentTask:
        self.directory.mkdir(parents=True, exist_ok=True)
        task_id = self._new_id("agent")
        path = self.directory / f"{task_id}.output"
        task = AgentTask(task_id, command, description, path, run)
        self.tasks[task_id] = task
        return task

    def get(self, task_id: str) -> SessionTask:
        task = self.tasks.get(task_id)
        if task is None:
            known = ", ".join(self.tasks) or "none"
            raise ToolError(f"No background task {task_id!r} in this session (tasks: {known})")
        return task

    async def stop(self, task: SessionTask) -> None:
        await task.stop()

    async def stop_all(self) -> None:
        for task in list(self.tasks.values()):
            await task.stop()

    def listing(self) -> list[dict[str, Any]]:
        return [t.summary() for t in self.tasks.values()]

    def take_notices(self) -> list[dict[str, Any]]:
        """Text blocks telling the model which tasks ended since it last heard, as Claude
        Code's task notifications do; the loop adds them to the next message it sends."""
        ended = [t for t in self.tasks.values() if not t.running and not t.notified]
        for task in ended:
            task.notified = True
        return [{"type": "text", "text": notice(task)} for task in ended]


def _tasks(ctx: ToolContext) -> BackgroundTasks:
    if ctx.background is None:
        raise ToolError("background tasks are not available in this session")
    return ctx.background


def started_message(task: SessionTask) -> str:
    return (
        f"Command running in background with ID: {task.id}. Output is being written to: "
        f"{task.output_path}. Read it with TaskOutput and stop it with TaskStop."
    )


def moved_message(task: ShellTask, timeout_ms: float) -> str:
    """Bash's result for a command that outlived its timeout and goes on in the background."""
    with task.output_path.open("rb") as file:
        partial = proc.read_ends(file, PARTIAL_OUTPUT_BYTES // 2, PARTIAL_OUTPUT_BYTES // 2)
    note = (
        f"Command did not complete within its {timeout_ms / 1000:g}s timeout and was moved to "
        f"the background with ID: {task.id}. It is still running. Output is being written to: "
        f"{task.output_path}. Read it with TaskOutput (or Read the file) and stop it with "
        "TaskStop."
    )
    partial = partial.rstrip("\n")
    return f"{partial}\n{note}" if partial else note


def notice(task: SessionTask) -> str:
    what = "Agent" if isinstance(task, AgentTask) else "Background command"
    label = task.description or task.command
    return (
        f"<task-notification>\n<task-id>{task.id}</task-id>\n<status>{task.status}</status>\n"
        f'<summary>{what} "{label}" {task.status}'
        + (f" (exit code {task.exit_code})" if task.status == "failed" else "")
        + f"</summary>\n</task-notification>\nRead its output with TaskOutput ({task.id}) "
        f"or Read {task.output_path}."
    )


def _report(task: SessionTask, output: str, retrieval: str) -> str:
    code = task.exit_code
    lines = [
        f"<retrieval_status>{retrieval}</retrieval_status>",
        f"<task_id>{task.id}</task_id>",
        f"<task_type>{task.task_type}</task_type>",
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
        "Reads the output of a background task (a Bash command or an Agent started with "
        "run_in_background, or a command moved to the background at its timeout). `block` "
        "(default true) waits until the task ends or `timeout` milliseconds pass (default "
        "30000). Also callable as BashOutput with `bash_id`, which "
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
        if block and task.running:
            try:
                await asyncio.wait_for(asyncio.shield(task.wait()), timeout_ms / 1000)
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
        task.notified = task.notified or not task.running  # it has seen the end
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
        if not task.running:
            return ToolResult(f"Task {task.id} had already ended ({task.status}).")
        await task.stop()
        task.notified = True
        return ToolResult(f"Stopped task {task.id} ({task.command}).")
