"""What the LSP tool needs around the index: the identifier at a 1-based position, columns and
source lines of indexed locations, and paths as the model should see them.

The index stores UTF-8 byte columns; the model counts characters (what Read shows, and what
Claude Code's tool says: "as shown in editors"). Columns are converted through the text of each
file, read once per call (the editor's buffer first, like Read).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from indexer.model import Point, Reference, Symbol
from indexer.navigate import word_at

from lsp_agent.agent.tools import textfile
from lsp_agent.agent.tools.base import ToolContext, ToolError

MAX_SHOWN_LINE = 120
T = TypeVar("T")


@dataclass(frozen=True)
class Position:
    """The identifier under the model's position, in the file's own terms."""

    path: Path
    name: str
    start_byte: int  # where the identifier starts in the file's UTF-8 text


def identifier_at(path: Path, text: str, line: int, character: int) -> Position:
    """The identifier at 1-based (line, character); ToolError saying why there is none."""
    lines = text.split("\n")
    if lines and lines[-1] == "" and len(lines) > 1:
        lines.pop()
    if line > len(lines):
        raise ToolError(f"line {line} is past the end of {path} ({len(lines)} lines)")
    row = lines[line - 1].rstrip("\r")
    if character > len(row) + 1:
        raise ToolError(
            f"character {character} is past the end of line {line} of {path} "
            f"({len(row)} characters): {_shown(row)!r}"
        )
    prefix = "\n".join(lines[: line - 1])
    line_start = len(prefix.encode("utf-8")) + (1 if line > 1 else 0)
    found = _word(row, character - 1)
    units = _from_utf16(row, character - 1)
    if found is None and units != character - 1:
        # An editor or language server counting UTF-16 units (an emoji is two) before the name.
        found = _word(row, units)
    if found is None:
        caret = " " * (character - 1) + "^"
        raise ToolError(
            f"no identifier at {path}:{line}:{character}; the line reads:\n"
            f"{row[:MAX_SHOWN_LINE]}\n{caret}\n"
            "Give the position of a name (its first character, as Read numbers lines)."
        )
    name, start, _ = found
    return Position(path, name, line_start + start)


def _word(row: str, index: int) -> tuple[str, int, int] | None:
    return word_at(row.encode("utf-8"), (0, len(row[:index].encode("utf-8"))))


def _from_utf16(row: str, units: int) -> int:
    """The character index at `units` UTF-16 code units into `row`."""
    seen = 0
    for index, char in enumerate(row):
        if seen >= units:
            return index
        seen += 2 if ord(char) > 0xFFFF else 1
    return len(row)


@dataclass
class Files:
    """Source lines of the files results point into, read once per call."""

    ctx: ToolContext
    _lines: dict[str, list[bytes] | None] = field(default_factory=dict)
    _cwd: str | None = None

    def lines(self, path: str) -> list[bytes] | None:
        if path not in self._lines:
            self._lines[path] = self._read(path)
        return self._lines[path]

    def _read(self, path: str) -> list[bytes] | None:
        text = self.ctx.documents.read_text(Path(path))
        if text is None:
            try:
                text, _ = textfile.decode(Path(path).read_bytes())
            except (OSError, textfile.BinaryFile):
                return None
        return text.encode("utf-8").split(b"\n")

    def column(self, path: str, point: Point, ascii_line: bool = False) -> int:
        """The 1-based character column of an index point (byte column)."""
        line, byte_col = point
        rows = None if ascii_line else self.lines(path)
        if rows is None or line >= len(rows):
            return byte_col + 1
        return len(rows[line][:byte_col].decode("utf-8", "replace")) + 1

    def source_line(self, path: str, line: int) -> str:
        rows = self.lines(path)
        if rows is None or line >= len(rows):
            return ""
        return _shown(rows[line].decode("utf-8", "replace").strip())

    def where(self, path: str, point: Point, ascii_line: bool = False) -> str:
        """`path:line:col`, 1-based, the path relative to the cwd when inside it."""
        return f"{self.rel(path)}:{point[0] + 1}:{self.column(path, point, ascii_line)}"

    def rel(self, path: str) -> str:
        # Sort keys of thousands of references call this: string work only, the cwd resolved once.
        if self._cwd is None:
            self._cwd = os.path.join(os.fspath(self.ctx.cwd.resolve()), "")
        if path.startswith(self._cwd):
            return path[len(self._cwd) :].replace(os.sep, "/")
        return path

    def symbol(self, s: Symbol) -> str:
        return self.where(s.path, s.selection.start, s.selection_ascii)

    def reference(self, r: Reference) -> str:
        return self.where(r.path, r.selection.start)


def _shown(text: str) -> str:
    return text if len(text) <= MAX_SHOWN_LINE else text[: MAX_SHOWN_LINE - 3] + "..."


def capped(
    items: Sequence[T], limit: int, show: Callable[[T], str], what: str = "results"
) -> list[str]:
    """The first `limit` items shown (only those: showing may read their files), then how many
    more there were."""
    shown = [show(item) for item in items[:limit]]
    if len(items) > limit:
        shown.append(f"... and {len(items) - limit} more {what} not shown")
    return shown
