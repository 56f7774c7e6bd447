"""Name-based navigation: the word under a position, its ranked definitions, its references.

No type inference: a name's definitions are ranked by where they live relative to the
request: the same scope, then the same file, then files the current file imports, then the
rest of the workspace.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import Protocol

from indexer.model import Point, Reference, Symbol


class NavigationIndex(Protocol):
    """What navigation reads: a `WorkspaceIndex`, or a `MultiRootIndex` over several."""

    def definitions(self, name: str) -> list[Symbol]: ...
    def references(self, name: str) -> list[Reference]: ...
    def file_symbols(self, path: str) -> list[Symbol]: ...
    def file_references(self, path: str) -> list[Reference]: ...


_WORD = re.compile(rb"[A-Za-z0-9_$\x80-\xff]+")


def word_at(source: bytes, point: Point) -> tuple[str, int, int] | None:
    """The identifier at (line, byte column): (name, start byte, end byte) in the file."""
    line, col = point
    start = 0
    for _ in range(line):
        start = source.find(b"\n", start) + 1
        if start == 0:
            return None
    end = source.find(b"\n", start)
    text = source[start : end if end >= 0 else len(source)]
    for m in _WORD.finditer(text):
        if m.start() <= col <= m.end() and not m.group().isdigit():
            return m.group().decode("utf-8", "replace"), start + m.start(), start + m.end()
    return None


def enclosing(symbols: Sequence[Symbol], offset: int) -> list[Symbol]:
    """Symbols whose range holds the byte `offset`, outermost first."""
    chain = [s for s in symbols if s.range.start_byte <= offset < s.range.end_byte]
    return sorted(chain, key=lambda s: (s.range.start_byte, -s.range.end_byte))


def find_definitions(
    index: NavigationIndex,
    path: str,
    name: str,
    offset: int,
    file_symbols: Sequence[Symbol] | None = None,
) -> list[Symbol]:
    """Definitions of `name`, best first, for a use at byte `offset` of `path`."""
    path = os.path.abspath(path)
    candidates = index.definitions(name)
    if file_symbols is not None:  # an open buffer's symbols beat the stored ones for its file
        candidates = [s for s in candidates if s.path != path]
        candidates += [s for s in file_symbols if s.name == name]
    if not candidates:
        return []
    scopes = {s.qualified_name for s in enclosing(file_symbols or index.file_symbols(path), offset)}
    imported = _imported_modules(index, path)

    def rank(symbol: Symbol) -> tuple[int, int, str, int]:
        matched = 0
        if symbol.path == path:
            # Same scope: any enclosing scope or the file's top level, the innermost first.
            in_scope = symbol.container in scopes or not symbol.container
            tier, matched = (0, len(symbol.container)) if in_scope else (1, 0)
        else:
            matched = _module_match(symbol.path, imported)
            # The rest of the workspace: nearer files first (the same package, then the same
            # root folder before another folder of a multi-root workspace).
            tier, matched = (2, matched) if matched else (3, _shared_dirs(symbol.path, path))
        return tier, -matched, symbol.path, symbol.range.start_byte

    return sorted(candidates, key=rank)


def find_references(index: NavigationIndex, name: str) -> list[Reference]:
    """Every recorded use of `name` (calls, type uses, imports, ...)."""
    return index.references(name)


def _imported_modules(index: NavigationIndex, path: str) -> set[str]:
    """Path-like suffixes of what `path` imports: `a.b.c` -> {"a/b/c", "b/c", "c"}."""
    suffixes: set[str] = set()
    for ref in index.file_references(path):
        if ref.kind != "import":
            continue
        parts = [p for p in re.split(r"[./:\\]+", ref.name) if p and p != ".."]
        for i in range(len(parts)):
            suffixes.add("/".join(parts[i:]))
    return suffixes


def _shared_dirs(a: str, b: str) -> int:
    """How many leading directories two absolute paths share."""
    return len(os.path.commonpath([os.path.dirname(a), os.path.dirname(b)]).split(os.sep))


def _module_match(path: str, imported: set[str]) -> int:
    """How many trailing path parts of `path` an import names (0: not imported)."""
    stem, _ = os.path.splitext(path)
    parts = stem.replace(os.sep, "/").split("/")
    if parts and parts[-1] in ("__init__", "index", "mod"):
        parts = parts[:-1]
    return max((n for n in (1, 2, 3, 4) if "/".join(parts[-n:]) in imported), default=0)
