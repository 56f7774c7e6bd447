"""Undo a recorded change on text the user may have edited since: a three-way revert.

A run changed a file from `before` to `after`; the file now holds `current`. Reverting a hunk of
`before -> after` puts its old lines back where `current` still holds exactly the run's lines,
found through the user's own changes (`after -> current`). A hunk the user's changes touch is a
conflict: reported and left alone, never overwritten. Plain Python, like `textdiff`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from lsp_agent.textdiff import Hunk, compute_hunks, lines


@dataclass(frozen=True)
class Reverted:
    text: str  # `current` with the reverted hunks put back
    reverted: tuple[int, ...]  # ids of the hunks of `compute_hunks(before, after)` undone
    conflicts: tuple[int, ...] = field(default=())  # ids left alone: the user changed them


def revert(before: str, after: str, current: str, selected: set[int] | None = None) -> Reverted:
    """Undo the selected hunks (default: all) of `before -> after` in `current`."""
    hunks = [h for h in compute_hunks(before, after) if selected is None or h.id in selected]
    after_lines, current_lines = lines(after), lines(current)
    theirs = _changes(after_lines, current_lines)
    blocks = _equal_blocks(after_lines, current_lines)
    result = list(current_lines)
    done, conflicts = [], []
    # Right to left, so a replacement never shifts the positions still to come.
    for hunk, start, end in sorted(_in_after(hunks), key=lambda t: t[1], reverse=True):
        if any(_touch(start, end, i1, i2) for i1, i2 in theirs):
            conflicts.append(hunk.id)
            continue
        at = _map(blocks, start, empty=start == end)
        result[at : at + (end - start)] = hunk.old_lines
        done.append(hunk.id)
    return Reverted("".join(result), tuple(sorted(done)), tuple(sorted(conflicts)))


def where(before: str, after: str, current: str) -> dict[int, int | None]:
    """Each hunk of `before -> after`: the line where its lines start in `current`, or None
    where the user's changes touch it (so it could not be reverted)."""
    after_lines, current_lines = lines(after), lines(current)
    theirs = _changes(after_lines, current_lines)
    blocks = _equal_blocks(after_lines, current_lines)
    found: dict[int, int | None] = {}
    for hunk, start, end in _in_after(compute_hunks(before, after)):
        touched = any(_touch(start, end, i1, i2) for i1, i2 in theirs)
        found[hunk.id] = None if touched else _map(blocks, start, empty=start == end)
    return found


def _in_after(hunks: list[Hunk]) -> list[tuple[Hunk, int, int]]:
    """Each hunk with the lines it occupies in `after`."""
    placed, shift = [], 0
    for hunk in sorted(hunks, key=lambda h: h.start):
        start = hunk.start + shift
        placed.append((hunk, start, start + len(hunk.new_lines)))
        shift += len(hunk.new_lines) - (hunk.end - hunk.start)
    return placed


def _changes(a: list[str], b: list[str]) -> list[tuple[int, int]]:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [(i1, i2) for tag, i1, i2, _, _ in matcher.get_opcodes() if tag != "equal"]


def _equal_blocks(a: list[str], b: list[str]) -> list[tuple[int, int, int]]:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [(i1, i2, j1) for tag, i1, i2, j1, _ in matcher.get_opcodes() if tag == "equal"]


def _touch(start: int, end: int, i1: int, i2: int) -> bool:
    """Whether the user's change `[i1, i2)` of `after` meets the run's lines `[start, end)`.
    Lines typed just above or below a hunk leave it alone; typing where the run removed lines
    (an empty range) is a conflict, since the old lines' place is then a guess."""
    if start == end:
        return i1 <= start <= i2
    if i1 == i2:
        return start < i1 < end
    return i1 < end and start < i2


def _map(blocks: list[tuple[int, int, int]], line: int, *, empty: bool) -> int:
    """Where line `line` of `after` (untouched by the user) is in `current`."""
    for i1, i2, j1 in blocks:
        if i1 <= line < i2 or (empty and line == i2):
            return j1 + (line - i1)
    return line  # no equal lines around it: both texts are empty here
