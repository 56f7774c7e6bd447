"""Find the files to index under a workspace root.

Honours `.gitignore` files at every level, `.git/info/exclude` and `.ignore` (pathspec's
gitignore semantics, including negation), plus configured exclude patterns. Ignored directories
are pruned before descending. Symlinks are followed only when they stay inside the root (a
link to `/` must not index the machine); symlinked directories are followed once (loops are cut
by device and inode); anything unreadable is logged and skipped.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pathspec

from indexer.languages import spec_for_path

log = logging.getLogger(__name__)

DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024
ALWAYS_SKIPPED = frozenset({".git", ".hg", ".svn", ".jj"})
IGNORE_FILES = (".gitignore", ".ignore")
# Applied on top of the user's excludes; a workspace without a .gitignore still skips these.
DEFAULT_EXCLUDES: tuple[str, ...] = (
    "node_modules/",
    "__pycache__/",
    ".venv/",
    ".tox/",
    ".mypy_cache/",
    "*.min.js",
)


@dataclass(frozen=True, slots=True)
class ScannedFile:
    path: str  # absolute
    language: str
    size: int
    mtime_ns: int


@dataclass(slots=True)
class ScanResult:
    files: list[ScannedFile]
    skipped: int


class IgnoreRules:
    """The ignore patterns in force at one directory: its parent's rules plus its own files."""

    def __init__(self, root: str, specs: tuple[tuple[str, pathspec.PathSpec], ...]) -> None:
        self.root = root
        self.specs = specs  # (base dir, spec); paths are matched relative to base

    def child(self, directory: str) -> IgnoreRules:
        lines: list[str] = []
        for name in IGNORE_FILES:
            lines.extend(_read_lines(os.path.join(directory, name)))
        if not lines:
            return self
        spec = pathspec.GitIgnoreSpec.from_lines(lines)
        return IgnoreRules(self.root, (*self.specs, (directory, spec)))

    def ignored(self, path: str, is_dir: bool) -> bool:
        result = False
        for base, spec in self.specs:
            rel = os.path.relpath(path, base).replace(os.sep, "/")
            if is_dir:
                rel += "/"
            # A deeper file's verdict overrides a shallower one, as in git; only an explicit
            # match (ignore or negation) changes the verdict.
            check = spec.check_file(rel)
            if check.include is not None:
                result = check.include
        return result


def _read_lines(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read().splitlines()
    except FileNotFoundError:
        return []
    except OSError as exc:
        log.warning("cannot read %s: %s", path, exc)
        return []


def root_rules(root: str, excludes: Sequence[str]) -> IgnoreRules:
    base_lines = [*DEFAULT_EXCLUDES, *excludes]
    base_lines += _read_lines(os.path.join(root, ".git", "info", "exclude"))
    rules = IgnoreRules(root, ((root, pathspec.GitIgnoreSpec.from_lines(base_lines)),))
    return rules.child(root)


def scan(
    root: str | Path,
    excludes: Sequence[str] = (),
    max_file_size: int = DEFAULT_MAX_FILE_SIZE,
) -> ScanResult:
    """Every indexable file under `root`, with size and mtime (no file is opened)."""
    root = os.path.abspath(root)
    result = ScanResult([], 0)
    seen_dirs: set[tuple[int, int]] = set()
    for path, st in _walk(root, root_rules(root, excludes), seen_dirs, os.path.realpath(root)):
        spec = spec_for_path(path)
        if spec is None:
            continue
        if st.st_size > max_file_size:
            log.info(
                "skipping %s: %d bytes is over the %d byte limit", path, st.st_size, max_file_size
            )
            result.skipped += 1
            continue
        result.files.append(ScannedFile(path, spec.name, st.st_size, st.st_mtime_ns))
    return result


def _walk(
    directory: str, rules: IgnoreRules, seen: set[tuple[int, int]], fence: str
) -> Iterator[tuple[str, os.stat_result]]:
    try:
        dir_stat = os.stat(directory)
        key = (dir_stat.st_dev, dir_stat.st_ino)
        if key in seen:
            log.info("skipping %s: already visited (symlink loop or duplicate)", directory)
            return
        seen.add(key)
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError as exc:
        log.warning("skipping directory %s: %s", directory, exc)
        return
    subdirs: list[str] = []
    for entry in entries:
        if entry.is_symlink() and not _inside(os.path.realpath(entry.path), fence):
            log.info("skipping %s: a symlink leading out of the workspace", entry.path)
            continue
        try:
            st = entry.stat()  # follows symlinks; a dangling link raises
        except OSError as exc:
            log.info("skipping %s: %s", entry.path, exc)
            continue
        is_dir = stat.S_ISDIR(st.st_mode)
        if is_dir and entry.name in ALWAYS_SKIPPED:
            continue
        if rules.ignored(entry.path, is_dir):
            continue
        if is_dir:
            subdirs.append(entry.path)
        elif stat.S_ISREG(st.st_mode):
            yield entry.path, st
    for sub in subdirs:
        yield from _walk(sub, rules.child(sub), seen, fence)


def _inside(real: str, fence: str) -> bool:
    return real == fence or real.startswith(fence.rstrip(os.sep) + os.sep)


def included(
    root: str | Path,
    path: str | Path,
    excludes: Sequence[str] = (),
    max_file_size: int = DEFAULT_MAX_FILE_SIZE,
) -> bool:
    """Whether `scan(root, ...)` would list `path` (one file: for watcher events and buffers)."""
    root, path = os.path.abspath(root), os.path.abspath(path)
    if spec_for_path(path) is None or not path.startswith(root.rstrip(os.sep) + os.sep):
        return False
    if not _inside(os.path.realpath(path), os.path.realpath(root)):
        return False  # through a symlink leading out of the workspace
    parts = os.path.relpath(path, root).split(os.sep)
    if ALWAYS_SKIPPED.intersection(parts[:-1]):
        return False
    rules, directory = root_rules(root, excludes), root
    for part in parts[:-1]:
        directory = os.path.join(directory, part)
        if rules.ignored(directory, is_dir=True):
            return False
        rules = rules.child(directory)
    try:
        size = os.path.getsize(path)
    except OSError:
        size = 0  # gone or unreadable: the caller's read decides
    return not rules.ignored(path, is_dir=False) and size <= max_file_size
