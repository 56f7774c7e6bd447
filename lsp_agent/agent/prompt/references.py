"""`@path` and `@path#L5-10` in a prompt: attach that file, or those lines, to the prompt.

As Claude Code's prompt box does: the reference stays in the text and the file's content is
attached after it, so the model need not spend a turn reading it. Paths resolve against the
session's directory and must stay inside the workspace roots (the same confinement as the
tools); a reference that cannot be attached is named in `problems` (for the user) and in a note
to the model, and never fails the prompt. An `@` inside a word (an e-mail address) is no
reference.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lsp_agent.agent.permissions.confinement import resolve
from lsp_agent.agent.tools.base import ToolError

_REFERENCE = re.compile(r"(?<![\w@/])@(?P<path>[^\s@#]+)(?:#L(?P<start>\d+)(?:-L?(?P<end>\d+))?)?")
_TRAILING = ",;:)]}>'\"."  # punctuation after a reference, not part of the path
MAX_LINES = 2000
MAX_CHARS = 200_000


@dataclass(frozen=True)
class Reference:
    raw: str  # as written, without the `@`
    path: str
    start: int | None = None  # 1-based, inclusive
    end: int | None = None


@dataclass
class Attached:
    prompt: str  # the prompt with the attachments after it
    files: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def parse(prompt: str) -> list[Reference]:
    found = []
    for match in _REFERENCE.finditer(prompt):
        path, start, end = match["path"], match["start"], match["end"]
        if start is None:
            path = path.rstrip(_TRAILING) or path
        first = int(start) if start else None
        last = int(end) if end else first
        found.append(Reference(match[0][1:], path, first, last))
    return found


def attach(
    prompt: str,
    cwd: Path,
    roots: Sequence[Path],
    read: Callable[[Path], str | None],
    redact: Callable[[str], str] = lambda text: text,
) -> Attached:
    """`prompt` with each reference's file (or lines) attached; `read` gives a file's text as
    the user sees it (an unsaved buffer first), None when it cannot be read. `redact` takes
    known secrets' values out of the attached text, as out of tool results."""
    result = Attached(prompt)
    blocks = []
    for reference in dict.fromkeys(parse(prompt)):
        block = _block(reference, cwd, roots, read, result)
        if block:
            blocks.append(redact(block))
    if result.problems:
        blocks.append("Not attached: " + "; ".join(result.problems))
    if blocks:
        result.prompt = "\n\n".join([prompt, *blocks])
    return result


def _block(
    reference: Reference,
    cwd: Path,
    roots: Sequence[Path],
    read: Callable[[Path], str | None],
    result: Attached,
) -> str | None:
    try:
        path = resolve(reference.path, cwd, roots)
    except ToolError as exc:
        result.problems.append(f"@{reference.raw}: {exc}")
        return None
    if path.is_dir():
        return None  # a folder is named, not attached: the model can list it if it needs to
    text = read(path)
    if text is None:
        result.problems.append(f"@{reference.raw}: no such file")
        return None
    if "\0" in text:
        result.problems.append(f"@{reference.raw}: {path.name} is not a text file")
        return None
    lines = text.splitlines(keepends=True)
    first, last = reference.start or 1, reference.end or len(lines)
    if reference.start is not None and (first < 1 or last < first or first > len(lines)):
        result.problems.append(f"@{reference.raw}: {path.name} has {len(lines)} lines")
        return None
    chosen = lines[first - 1 : min(last, first - 1 + MAX_LINES)]
    body = "".join(chosen)
    cut = len(chosen) < min(last, len(lines)) - first + 1 or len(body) > MAX_CHARS
    attributes = f'path="{path}"'
    if reference.start is not None:
        attributes += f' lines="{first}-{first + len(chosen) - 1}"'
    if cut:
        attributes += ' cut="true"'
    result.files.append(path)
    return f"<attached-file {attributes}>\n{body[:MAX_CHARS].rstrip(chr(10))}\n</attached-file>"
