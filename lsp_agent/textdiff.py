"""Line hunks between two texts: split a proposal, apply some of its hunks, and move it onto
text the user changed in the meantime.

Plain Python (no LSP types): the server turns hunks into TextEdits, editor plugins show them.
Hunks are line based, so their ranges never split a character, whatever the position encoding.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Hunk:
    id: int
    start: int  # first line replaced, 0-based, in the old text
    end: int  # one past the last line replaced (start == end: pure insertion)
    old_lines: tuple[str, ...]  # with their line endings
    new_lines: tuple[str, ...]

    @property
    def old_text(self) -> str:
        return "".join(self.old_lines)

    @property
    def new_text(self) -> str:
        return "".join(self.new_lines)


class Conflict(Exception):
    """The user's changes overlap the proposal: it cannot be placed on the new text."""


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def lines(text: str) -> list[str]:
    """Lines with their endings, split where LSP splits them: only at \\n, \\r\\n and \\r
    (`str.splitlines` also splits at form feeds and Unicode separators, shifting every line
    number after one)."""
    return _LINE.findall(text)


def compute_hunks(old: str, new: str) -> list[Hunk]:
    old_lines, new_lines = lines(old), lines(new)
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    hunks: list[Hunk] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            hunks.append(Hunk(len(hunks), i1, i2, tuple(old_lines[i1:i2]), tuple(new_lines[j1:j2])))
    return hunks


def apply_hunks(old: str, hunks: list[Hunk], selected: set[int] | None = None) -> str:
    """`old` with the selected hunks (default: all) applied."""
    old_lines = lines(old)
    out: list[str] = []
    cursor = 0
    for hunk in sorted(hunks, key=lambda h: h.start):
        if selected is not None and hunk.id not in selected:
            continue
        out += old_lines[cursor : hunk.start]
        out += hunk.new_lines
        cursor = hunk.end
    out += old_lines[cursor:]
    return "".join(out)


def rebase(base: str, proposed: str, current: str) -> str:
    """The proposal `base -> proposed` placed on `current` (what the buffer holds now).

    Each changed region is located again in `current` by its old lines plus context on each
    side (widened while it is ambiguous), and must be found exactly once; otherwise the user's
    typing overlaps the change and we refuse rather than guess.
    """
    if current == base:
        return proposed
    base_lines, current_lines = lines(base), lines(current)
    result = list(current_lines)
    offset = 0  # how far earlier replacements shifted positions in `result`
    placed: list[tuple[int, int]] = []
    for hunk in compute_hunks(base, proposed):
        start = _locate(base_lines, current_lines, hunk)
        end = start + (hunk.end - hunk.start)
        if placed and start < placed[-1][1]:
            raise Conflict("changes moved out of order")
        placed.append((start, end))
        result[start + offset : end + offset] = hunk.new_lines
        offset += len(hunk.new_lines) - (hunk.end - hunk.start)
    return "".join(result)


def _locate(base_lines: list[str], current_lines: list[str], hunk: Hunk) -> int:
    """Where the hunk's first old line sits in the current text."""
    for context in (1, 2, 4, 8):
        lo = max(0, hunk.start - context)
        hi = min(len(base_lines), hunk.end + context)
        hits = _find_all(current_lines, base_lines[lo:hi])
        if len(hits) == 1:
            return hits[0] + (hunk.start - lo)
        if not hits:
            break  # more context cannot make a missing region appear
    raise Conflict(f"lines {hunk.start + 1}-{max(hunk.end, hunk.start + 1)} changed")


def _find_all(haystack: list[str], needle: list[str]) -> list[int]:
    if not needle:
        return []
    width = len(needle)
    return [
        i
        for i in range(len(haystack) - width + 1)
        if haystack[i] == needle[0] and haystack[i : i + width] == needle
    ]


def summary(path: str, hunks: list[Hunk], max_lines: int = 6) -> str:
    """A few lines describing a change, for prompts in clients without a diff view."""
    if not hunks:
        return f"{path}: no changes"
    first, last = hunks[0], hunks[-1]
    head = f"{path}, lines {first.start + 1}-{max(last.end, last.start + 1)}"
    shown: list[str] = []
    for hunk in hunks:
        shown += [f"- {line.rstrip()}" for line in hunk.old_lines]
        shown += [f"+ {line.rstrip()}" for line in hunk.new_lines]
    more = len(shown) - max_lines
    body = shown[:max_lines] + ([f"... ({more} more lines)"] if more > 0 else [])
    return "\n".join([head, *body])
