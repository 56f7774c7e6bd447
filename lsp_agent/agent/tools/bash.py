"""Bash: one command in the workspace, in its own process group, with a timeout; or, with
`run_in_background`, a command that goes on after the call (tools/background.py)."""

from __future__ import annotations

import shutil
from typing import Any

from lsp_agent.agent.permissions import shell
from lsp_agent.agent.tools import proc
from lsp_agent.agent.tools.background import started_message
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
        "stderr together). `timeout` is in milliseconds (default 120000, at most 600000); on "
        "timeout the command and every process it started are killed. Output beyond about "
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
            task = await ctx.background.start(
                command, ctx.cwd, description, ctx.path_prefix, ctx.extra_env
            )
            return ToolResult(started_message(task))
        if timeout_ms <= 0:
            raise ToolError("timeout must be a positive number of milliseconds")
        timeout_ms = min(timeout_ms, MAX_TIMEOUT_MS)
        argv = [shutil.which("bash") or "/bin/sh", "-c", command]
        half = MAX_OUTPUT_CHARS // 2
        done = await proc.run(
            argv,
            cwd=ctx.cwd,
            timeout_s=timeout_ms / 1000,
            cancel=ctx.cancel,
            env=proc.tool_env(ctx.env_passthrough, ctx.path_prefix, ctx.extra_env),
            head=half,
            tail=half,
        )
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
