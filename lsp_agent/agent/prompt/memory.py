"""CLAUDE.md memory: the files Claude Code loads, with their `@path` imports expanded.

Imports resolve relative to the importing file (`~/` from the home directory), at most 4 hops
deep, and are not recognised inside code fences or inline code spans. Each file appears once,
as its own section right after the file that imported it first.
"""

from __future__ import annotations

import re
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


def load_memory(project: Path) -> list[MemoryFile]:
    """Every memory file for `project`, broadest first, imports following their importer."""
    loaded: list[MemoryFile] = []
    seen: set[Path] = set()
    for path in memory_files(project):
        _load(path.resolve(), None, 0, seen, loaded)
    return loaded


def _load(
    path: Path, parent: Path | None, depth: int, seen: set[Path], out: list[MemoryFile]
) -> None:
    if path in seen:
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
        _load(_resolve(target, path.parent), path, depth + 1, seen, out)


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
