"""`command` hooks: a process with the event's JSON on stdin, in the project directory, in its
own process group (a timeout kills its children too).

Shell form (no `args`): `command` goes to `sh -c`, which expands variables itself. Exec form
(`args` set, even empty): `command` is an executable found on PATH and `args` its argument
vector, with no shell in between, so quotes, `$` and backticks reach the program verbatim. The
path placeholders `${CLAUDE_PROJECT_DIR}`, `${CLAUDE_PLUGIN_ROOT}` and `${CLAUDE_PLUGIN_DATA}`
are put into `command` and each argument as plain strings, as Claude Code does; any other
`${...}` is left as written. Both forms get those variables in their environment, with the
settings' `env` and without any provider credential."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
from pathlib import Path

from lsp_agent import credentials
from lsp_agent.agent.claude.hooks_config import HookCommand

PLACEHOLDERS = ("CLAUDE_PROJECT_DIR", "CLAUDE_PLUGIN_ROOT", "CLAUDE_PLUGIN_DATA")
_PLACEHOLDER = re.compile(r"\$\{(" + "|".join(PLACEHOLDERS) + r")\}")

# (exit code: None when timed out or not started, stdout, stderr, timed out), as hook_http's.
Ran = tuple[int | None, bytes, str, bool]


def hook_env(hook: HookCommand, project_dir: Path, extra: dict[str, str]) -> dict[str, str]:
    env = {**credentials.scrubbed(os.environ), **extra}
    env["CLAUDE_PROJECT_DIR"] = str(project_dir)
    env.update(hook.env)
    return env


def expand(text: str, env: dict[str, str]) -> str:
    """The path placeholders filled in; one the hook has no value for stays as written."""
    return _PLACEHOLDER.sub(lambda m: env.get(m.group(1), m.group(0)), text)


async def run_command(
    hook: HookCommand, stdin: bytes, project_dir: Path, extra_env: dict[str, str]
) -> Ran:
    env = hook_env(hook, project_dir, extra_env)
    try:
        process = await _spawn(hook, env, project_dir)
    except OSError as exc:
        return None, b"", f"could not start: {exc}", False
    try:
        async with asyncio.timeout(hook.timeout):
            out, err = await process.communicate(stdin)
    except TimeoutError:
        _kill_group(process)
        await process.wait()
        return None, b"", "", True
    except BaseException:
        _kill_group(process)
        raise
    return process.returncode, out, err.decode("utf-8", errors="replace"), False


async def _spawn(hook: HookCommand, env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    pipe = asyncio.subprocess.PIPE
    if hook.args is None:
        return await asyncio.create_subprocess_shell(
            hook.command,
            stdin=pipe,
            stdout=pipe,
            stderr=pipe,
            cwd=cwd,
            env=env,
            start_new_session=True,  # its own process group, so a timeout kills children too
        )
    program = expand(hook.command, env)
    found = program if os.sep in program else shutil.which(program, path=env.get("PATH"))
    if found is None:
        hint = " (exec form: put its arguments in `args`)" if " " in program.strip() else ""
        raise FileNotFoundError(f"no executable {program!r} on PATH{hint}")
    argv = [expand(arg, env) for arg in hook.args]
    return await asyncio.create_subprocess_exec(
        found, *argv, stdin=pipe, stdout=pipe, stderr=pipe, cwd=cwd, env=env, start_new_session=True
    )


def _kill_group(process: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
