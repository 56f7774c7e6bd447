"""CLAUDE.md memory: the files Claude Code loads, with their `@path` imports expanded.

Imports resolve relative to the importing file (`~/` from the home directory), at most 4 hops
deep, and are not recognised inside code fences or inline code spans. Each file appears once,
as its own section right after the file that imported it first.

Until the user trusts the folder, its memory files may not pull in anything outside it: an
import (or a CLAUDE.md that is a symlink) from inside the project that resolves outside it is
skipped, so a cloned repository cannot send `~/.ssh/id_rsa` to the model. Plain text still loads.
The repository supplies more than the opened folder when that folder is inside a git work tree:
the CLAUDE.md files of the directories between the work tree's top and the folder came with
the clone too, so until trust their imports may not leave the folder either (their text still
loads). Parent directories outside the work tree are the user's own: their imports load.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lsp_agent.agent.claude.files import memory_files

MAX_IMPORT_DEPTH = 4
_IMPORT = re.compile(r"(?:^|(?<=\s))@((?:~/|\.{1,2}/|/)?[\w.\-/~]+)")
_CODE_SPAN = re.compile(r"(`+).*?\1")
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class MemoryFile:
    path: Path
    text: str
    imported_from: Path | None = None


@dataclass(frozen=True)
class _Fence:
    """Before trust: what the project supplied (`supplied`, the folder or its repository's top)
    may reference nothing outside `root` (the folder)."""

    root: Path
    supplied: Path

    def leaves(self, source: Path, target: Path) -> bool:
        return source.is_relative_to(self.supplied) and not target.is_relative_to(self.root)


def _fence(project: Path) -> _Fence:
    root = project.resolve()
    supplied = next((d for d in [root, *root.parents] if (d / ".git").exists()), root)
    return _Fence(root, supplied)


def load_memory(
    project: Path, *, trusted: bool = True, excludes: Sequence[str] = ()
) -> list[MemoryFile]:
    """Every memory file for `project`, broadest first, imports following their importer,
    but those `excludes` (the settings' `claudeMdExcludes` globs) name."""
    loaded: list[MemoryFile] = []
    seen: set[Path] = set()
    fence = None if trusted else _fence(project)
    for path in memory_files(project):
        real = path.resolve()
        # A memory file the project supplied that is a link out of the folder.
        if fence is not None and path.absolute() != real and fence.leaves(path.absolute(), real):
            continue
        if any(fnmatch.fnmatch(str(path.absolute()), pattern) for pattern in excludes):
            continue  # `claudeMdExcludes` in the settings
        _load(real, None, 0, seen, loaded, fence)
    return loaded


def outside_imports(project: Path) -> list[MemoryFile]:
    """What the project's memory files would bring in from outside it once trusted."""
    fence = _fence(project)
    return [
        m
        for m in load_memory(project)
        if m.imported_from is not None and fence.leaves(m.imported_from, m.path)
    ]


def _load(
    path: Path,
    parent: Path | None,
    depth: int,
    seen: set[Path],
    out: list[MemoryFile],
    fence: _Fence | None = None,
) -> None:
    if path in seen or (parent is not None and fence is not None and fence.leaves(parent, path)):
        return
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return  # a dangling import is skipped, as Claude Code does
    seen.add(path)
    out.append(MemoryFile(path, text, parent))
    if depth >= MAX_IMPORT_DEPTH:
        return
    for target in imports_of(text):
        _load(_resolve(target, path.parent), path, depth + 1, seen, out, fence)


def imports_of(text: str) -> list[str]:
    """The `@path` references of a memory file, outside code fences and code spans."""
    found = []
    in_fence = False
    for line in text.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if not in_fence:
            found += _IMPORT.findall(_CODE_SPAN.sub("", line))
    return found


def _resolve(target: str, base: Path) -> Path:
    path = Path(target).expanduser() if target.startswith("~") else base / target
    return path.resolve()


def render_memory(files: list[MemoryFile]) -> str:
    sections = []
    for memory in files:
        origin = f", imported by {memory.imported_from}" if memory.imported_from else ""
        sections.append(f"Contents of {memory.path}{origin}:\n\n{memory.text.strip()}")
    return "\n\n".join(sections)
