"""Rendering a command's or skill's body before it is sent, as Claude Code does.

1. Substitutions (`substitute`): `$ARGUMENTS` (the whole argument string as typed),
   `$ARGUMENTS[N]` and its shorthand `$N` (0-based since Claude Code 2.1.19: `$0` is the first
   argument; split like a shell, quotes group words; an index with no argument stays as written),
   `$name` for the names the `arguments` frontmatter declares (by position; missing: empty), and
   `${CLAUDE_SESSION_ID}`, `${CLAUDE_PROJECT_DIR}`, `${CLAUDE_SKILL_DIR}`, `${CLAUDE_PLUGIN_ROOT}`.
   A single backslash before an argument placeholder keeps it literal (`\\$1.00`). When the body
   uses no argument placeholder at all, the arguments are appended as `ARGUMENTS: ...`.
2. Shell lines (`run_shell`): `` !`command` `` at a line's start or after whitespace, and fenced
   blocks opened with ```` ```! ````, run before sending; their output replaces them and is not
   scanned again. The caller decides whether each command may run (`ShellCheck`).
3. File references (`attachments`): `@path` at a line's start or after whitespace names a file
   to attach; only files inside the workspace are read.
"""

from __future__ import annotations

import re
import shlex
import shutil
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from lsp_agent.agent.ports import CancelToken

SHELL_TIMEOUT_S = 60.0
MAX_ATTACHED_CHARS = 100_000
_INLINE = re.compile(r"(?:(?<=\s)|^)!`([^`\n]+)`", re.MULTILINE)
_FENCED = re.compile(r"^```!\s*\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)
_REFERENCE = re.compile(r"(?:(?<=\s)|^)@([^\s`'\"<>()\[\]{},;]+)", re.MULTILINE)
_VARIABLE = re.compile(r"\$\{(CLAUDE_[A-Z_]+)\}")


@dataclass(frozen=True)
class BodyVars:
    arguments: str
    project: Path | None = None  # None: ${CLAUDE_PROJECT_DIR} and friends stay as written
    session_id: str | None = None
    names: tuple[str, ...] = ()  # the `arguments` frontmatter
    skill_dir: Path | None = None
    plugin_root: Path | None = None
    plugin_data: Path | None = None

    def variables(self) -> dict[str, str]:
        found = {}
        if self.session_id is not None:
            found["CLAUDE_SESSION_ID"] = self.session_id
        if self.project is not None:
            found["CLAUDE_PROJECT_DIR"] = str(self.project)
        if self.skill_dir is not None:
            found["CLAUDE_SKILL_DIR"] = str(self.skill_dir)
        if self.plugin_root is not None:
            found["CLAUDE_PLUGIN_ROOT"] = str(self.plugin_root)
        if self.plugin_data is not None:
            found["CLAUDE_PLUGIN_DATA"] = str(self.plugin_data)
        return found


def split_arguments(arguments: str) -> list[str]:
    try:
        return shlex.split(arguments)
    except ValueError:  # an unbalanced quote: fall back to words
        return arguments.split()


def substitute(body: str, given: BodyVars) -> str:
    positional = split_arguments(given.arguments)
    names = [re.escape(n) for n in sorted(given.names, key=len, reverse=True) if n]
    named = "|".join(names)
    pattern = re.compile(
        r"(\\\\)?(\\)?\$(?:(ARGUMENTS)(?:\[(\d+)\])?|(\d+)"
        + (rf"|({named})(?![A-Za-z0-9_])" if named else "")
        + ")"
    )
    uses_arguments = False

    def fill(match: re.Match[str]) -> str:
        nonlocal uses_arguments
        doubled, escaped = match.group(1) or "", match.group(2)
        whole, index, short = match.group(3), match.group(4), match.group(5)
        name = match.group(6) if named else None
        uses_arguments = True
        if escaped:  # `\$1`: the placeholder, literally
            return doubled + match.group(0)[len(doubled) + 1 :]
        if whole and index is None:
            return doubled + given.arguments
        if index is not None or short is not None:
            n = int(index if index is not None else short)
            return doubled + (
                positional[n] if n < len(positional) else match.group(0)[len(doubled) :]
            )
        assert name is not None
        at = given.names.index(name)
        return doubled + (positional[at] if at < len(positional) else "")

    text = pattern.sub(fill, body)
    variables = given.variables()
    text = _VARIABLE.sub(lambda m: variables.get(m.group(1), m.group(0)), text)
    if given.arguments and not uses_arguments:
        text = f"{text.rstrip()}\n\nARGUMENTS: {given.arguments}"
    return text


def shell_commands(body: str) -> list[str]:
    return [m.group(1) for m in _FENCED.finditer(body)] + [
        m.group(1) for m in _INLINE.finditer(body)
    ]


# Given a command, "" when it may run, else why not (shown to the user).
ShellCheck = Callable[[str], Awaitable[str]]


class ShellRefused(Exception):
    """A `!` command was not allowed or failed: the prompt is not sent."""


DISABLED = "[shell command execution disabled by policy]"


async def run_shell(
    body: str,
    *,
    check: ShellCheck,
    cwd: Path,
    env: dict[str, str],
    cancel: CancelToken | None = None,
    disabled: bool = False,
) -> str:
    """`body` with each shell line replaced by its command's output (by DISABLED, unrun, when
    `disabled`). Raises ShellRefused for the first command that may not run or fails."""
    outputs: dict[str, str] = {}
    for command in shell_commands(body):
        if disabled:
            outputs[command] = DISABLED
        if command in outputs:
            continue
        why = await check(command)
        if why:
            raise ShellRefused(f"`!` command `{command}` was not run: {why}")
        outputs[command] = await _run(command, cwd, env, cancel or CancelToken())

    def inline(match: re.Match[str]) -> str:
        return outputs.get(match.group(1), match.group(0))

    # One pass each over the original text: output is never scanned for more commands.
    parts = _FENCED.split(body)
    rendered = []
    for i, part in enumerate(parts):
        if i % 2:  # a fenced block's command
            rendered.append(outputs.get(part, part) + "\n")
        else:
            rendered.append(_INLINE.sub(inline, part))
    return "".join(rendered)


async def _run(command: str, cwd: Path, env: dict[str, str], cancel: CancelToken) -> str:
    from lsp_agent.agent.tools import proc  # the tools package imports this module's users

    argv = [shutil.which("bash") or "/bin/sh", "-c", command]
    done = await proc.run(argv, cwd=cwd, timeout_s=SHELL_TIMEOUT_S, cancel=cancel, env=env)
    output = done.output.rstrip("\n")
    if done.timed_out:
        raise ShellRefused(f"`!` command `{command}` timed out after {SHELL_TIMEOUT_S:g} s")
    if done.returncode != 0:
        detail = f": {output.strip()[-500:]}" if output.strip() else ""
        raise ShellRefused(f"`!` command `{command}` failed (exit {done.returncode}){detail}")
    return output


@dataclass(frozen=True)
class Attachment:
    path: Path
    text: str

    def block(self) -> str:
        return f"Contents of {self.path} (attached by @{self.path.name}):\n\n{self.text}"


def attachments(body: str, base: Path, roots: Sequence[Path]) -> tuple[list[Attachment], list[str]]:
    """The files `@path` references name (relative to `base`), inside `roots` only; and a
    message for each reference to an existing file outside them (left unread). References
    to nothing (an e-mail handle, a decorator) are left alone."""
    found: list[Attachment] = []
    refused: list[str] = []
    seen: set[Path] = set()
    for target in _REFERENCE.findall(body):
        target = target.rstrip(".:!?")
        raw = Path(target).expanduser() if target.startswith("~") else base / target
        try:
            path = raw.resolve()
        except (OSError, RuntimeError):
            continue
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        if not any(path.is_relative_to(root.resolve()) for root in roots):
            refused.append(f"@{target} is outside the workspace; not attached")
            continue
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            refused.append(f"@{target}: unreadable ({exc})")
            continue
        if len(text) > MAX_ATTACHED_CHARS:
            text = text[:MAX_ATTACHED_CHARS] + "\n[truncated]"
        found.append(Attachment(path, text))
    return found, refused
