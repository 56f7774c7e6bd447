"""The system prompt: how to work the tool loop, facts about the environment, and memory."""

from __future__ import annotations

import datetime
import platform
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lsp_agent.agent.prompt.memory import load_memory, render_memory

INSTRUCTIONS = """\
You are a coding agent working inside the user's editor through a language server. You help \
with software engineering tasks in the user's workspace using the tools available to you.

How to work:
- Use the tools to look before you change anything: read a file before you edit or overwrite it.
- Prefer Edit (exact, unique old_string) for changes to existing files; use Write for new files.
- Several independent read-only calls (Read, Glob, Grep, LS) can go in one turn; they run in \
parallel.
- File paths in tool inputs are absolute. Stay inside the workspace directories.
- A tool result marked as an error explains what went wrong (a denied permission, a stale file, \
a missing match): adjust and carry on, or explain to the user why you cannot.
- When the user's editor rejects an edit, do not retry the same edit; ask or try another way.
- Be concise. When the task is done, reply with a short summary of what you changed."""

MEMORY_PREAMBLE = (
    "The user's and the project's instructions (CLAUDE.md files) follow. They override default "
    "behaviour; follow them exactly as written."
)


def is_git_repo(directory: Path) -> bool:
    return any((d / ".git").exists() for d in [directory, *directory.parents])


def environment(cwd: Path, add_dirs: list[Path], today: datetime.date | None = None) -> str:
    today = today or datetime.date.today()
    lines = [
        "<env>",
        f"Working directory: {cwd}",
        f"Is directory a git repo: {'Yes' if is_git_repo(cwd) else 'No'}",
        f"Platform: {platform.system().lower()}",
        f"Today's date: {today.isoformat()}",
    ]
    lines += [f"Additional working directory: {d}" for d in add_dirs]
    return "\n".join([*lines, "</env>"])


def system_blocks(
    cwd: Path,
    add_dirs: list[Path] | None = None,
    *,
    replace: str | None = None,
    append: str | None = None,
    with_memory: bool = True,
    trusted: bool = True,
    memory_excludes: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """The `system` field as text blocks. `replace` swaps out the built-in instructions (the SDK's
    system_prompt); `append` adds to the end (its append_system_prompt)."""
    texts = [replace or INSTRUCTIONS, environment(cwd, add_dirs or [])]
    memory = ""
    if with_memory:
        memory = render_memory(load_memory(cwd, trusted=trusted, excludes=memory_excludes))
    if memory:
        texts.append(f"{MEMORY_PREAMBLE}\n\n{memory}")
    if append:
        texts.append(append)
    return [{"type": "text", "text": text} for text in texts]
