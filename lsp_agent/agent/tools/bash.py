"""Bash: one command in the workspace, in its own process group, with a timeout; or, with
`run_in_background`, a command that goes on after the call (tools/background.py).

As in Claude Code, a foreground command that outlives its timeout is not killed but moved to
the background, where TaskOutput and TaskStop reach it, except `sleep` (waiting is the whole
point) and git (a half-done git command holding the index lock would block the next one)."""

from __future__ import annotations

import shutil
from typing import Any

from lsp_agent.agent.permissions import shell
from lsp_agent.agent.tools import proc
from lsp_agent.agent.tools.background import BackgroundTasks, moved_message, started_message
from lsp_agent.agent.tools.base import ToolContext, ToolError, ToolResult
from lsp_agent.agent.tools.common import BaseTool, arg

DEFAULT_TIMEOUT_MS = 120_000
MAX_TIMEOUT_MS = 600_000
MAX_OUTPUT_CHARS = 30_000
# Exit status 1 of these means "no match" / "differs" / "false", an answer rather than a failure.
EXIT_1_IS_ANSWER = frozenset({"grep", "egrep", "fgrep", "rg", "diff", "cmp", "test", "["})


class Bash(BaseTool):
    name = "Bash"
    description = (
        "Runs a bash command in the working directory and returns its output (stdout and "
        "stderr together). `timeout` is in milliseconds (default 120000, at most 600000); a "
        "command still running at its timeout is moved to the background (its task ID and "
        "output file are in the result; sleep and git are killed instead). Output beyond about "
        "30000 characters is truncated in the middle. Each call starts from the working "
        "directory; background jobs are ended when the command exits. For servers and long "
        "builds set `run_in_background`: the call returns a task ID at once; read the output "
        "with TaskOutput and stop it with TaskStop. Prefer Read, Glob and Grep over cat, find "
        "and grep."
    )
    input_schema = {
        "type": "object",
        "properties": {
            "command": {"type": "string", "description": "The command to run"},
            "timeout": {"type": "number", "description": "Timeout in milliseconds (max 600000)"},
            "description": {
                "type": "string",
                "description": "What the command does, in 5-10 words",
            },
            "run_in_background": {
                "type": "boolean",
                "description": "Run in the background; read it with TaskOutput",
            },
            "dangerouslyDisableSandbox": {
                "type": "boolean",
                "description": "Accepted; commands here run without a sandbox, after approval",
            },
        },
        "required": ["command"],
        "additionalProperties": False,
    }

    async def call(self, tool_input: dict[str, Any], ctx: ToolContext) -> ToolResult:
        command = arg(tool_input, "command", str)
        timeout_ms = arg(tool_input, "timeout", (int, float), DEFAULT_TIMEOUT_MS)
        if not command.strip():
            raise ToolError("command is empty")
        if arg(tool_input, "run_in_background", bool, False):
            if ctx.background is None:
                raise ToolError("background commands are not available in this session")
            description = arg(tool_input, "description", str, "")
            env = tool_env(ctx)
            task = ctx.background.adopt(
                await ctx.background.spawn(command, ctx.cwd, description, env)
            )
            return ToolResult(started_message(task))
        if timeout_ms <= 0:
            raise ToolError("timeout must be a positive number of milliseconds")
        timeout_ms = min(timeout_ms, MAX_TIMEOUT_MS)
        if ctx.background is not None and may_move_to_background(command):
            description = arg(tool_input, "description", str, "")
            return await _run_or_move(command, description, timeout_ms, ctx, ctx.background)
        argv = [shutil.which("bash") or "/bin/sh", "-c", command]
        half = MAX_OUTPUT_CHARS // 2
        done = await proc.run(
            argv,
            cwd=ctx.cwd,
            timeout_s=timeout_ms / 1000,
            cancel=ctx.cancel,
            env=tool_env(ctx),
            head=half,
            tail=half,
        )
        return _result(command, done, timeout_ms)


def may_move_to_background(command: str) -> bool:
    """Not a command that starts with sleep, nor one that runs git (the module's docstring)."""
    programs = [shell.program(part) for part in shell.split_commands(command)]
    return not programs or (programs[0] != "sleep" and "git" not in programs)


async def _run_or_move(
    command: str, description: str, timeout_ms: float, ctx: ToolContext, tasks: BackgroundTasks
) -> ToolResult:
    """Run in the foreground with the output going to a would-be task file, so a command that
    outlives its timeout can become a background task without losing what it wrote."""
    task = await tasks.spawn(command, ctx.cwd, description, tool_env(ctx))
    try:
        exited = await proc.wait_or_timeout(task.process, timeout_ms / 1000, ctx.cancel)
    except BaseException:
        task.output_path.unlink(missing_ok=True)
        raise
    if not exited:
        tasks.adopt(task)
        return ToolResult(moved_message(task, timeout_ms))
    proc.kill_group(task.process)  # as in the foreground: jobs it left behind end with it
    half = MAX_OUTPUT_CHARS // 2
    try:
        with task.output_path.open("rb") as file:
            output = proc.read_ends(file, half, half)
    finally:
        task.output_path.unlink(missing_ok=True)
    done = proc.Finished(output, "", task.process.returncode, timed_out=False)
    return _result(command, done, timeout_ms)


def _result(command: str, done: proc.Finished, timeout_ms: float) -> ToolResult:
    output = done.output.rstrip("\n")
    if done.timed_out:
        note = f"Command timed out after {timeout_ms / 1000:g}s and was killed."
        return ToolResult(f"{output}\n{note}" if output else note, is_error=True)
    code = done.returncode
    if code == 0:
        return ToolResult(output or "(no output)")
    parts = shell.split_commands(command)
    answer = code == 1 and bool(parts) and shell.program(parts[-1]) in EXIT_1_IS_ANSWER
    killed = f" (killed by signal {-code})" if code is not None and code < 0 else ""
    note = f"Exit code {code}{killed}"
    return ToolResult(f"{output}\n{note}" if output else note, is_error=not answer)


def tool_env(ctx: ToolContext) -> dict[str, str]:
    """A command's environment: the user's pass-through credentials only, plugins' `bin/`
    first on PATH, the settings' `env`; and, once a hook has written it, the session's
    `CLAUDE_ENV_FILE` as BASH_ENV, which bash sources before running the command."""
    env = proc.tool_env(ctx.env_passthrough, ctx.path_prefix, ctx.extra_env)
    if ctx.env_file is not None and ctx.env_file.is_file():
        env["BASH_ENV"] = str(ctx.env_file)
    return env
