"""Find the files to index under a workspace root.

Honours `.ignore` files at every level and, inside a git work tree only (as git and ripgrep do),
`.gitignore` files and `.git/info/exclude` (pathspec's gitignore semantics, including
negation), plus configured exclude patterns. Ignored directories
are pruned before descending. Symlinks are followed only when they stay inside the root (a
link to `/` must not index the machine); symlinked directories are followed once (loops are cut
by device and inode); anything unreadable is logged and skipped.
"""

from __future__ import annotations

import logging
import os
import re
import stat
import time
from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path

import pathspec

from indexer.languages import BY_EXTENSION, spec_for_path
from indexer.scan_cache import DirCache, Listing, Stamp, settings_key, stamp

log = logging.getLogger(__name__)

DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024
# A folder that is really a disk (a link to /, a home directory opened by mistake) must not
# build an unbounded index: the scan stops at these, in its stable order, and says so.
DEFAULT_MAX_FILES = 200_000
DEFAULT_MAX_TOTAL_SIZE = 4 * 1024 * 1024 * 1024
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


@dataclass(frozen=True, slots=True)
class ScanLimits:
    """At most `files` files and `total_size` bytes of them per root."""

    files: int = DEFAULT_MAX_FILES
    total_size: int = DEFAULT_MAX_TOTAL_SIZE


@dataclass(slots=True)
class ScanResult:
    files: list[ScannedFile]
    skipped: int
    total_size: int = 0
    capped: str = ""  # why the scan stopped early (a limit reached), for the user


class IgnoreRules:
    """The ignore patterns in force at one directory: its parent's rules plus its own files.

    `.gitignore` (and `.git/info/exclude`) count only inside a git work tree, as in git and
    ripgrep; `.ignore` files and the configured excludes count everywhere."""

    def __init__(self, root: str, specs: tuple[_Spec, ...] = (), git: bool = False) -> None:
        self.root = root
        self.specs = specs  # (base dir + "/", spec, any-pattern prefilter); matched relative
        self.git = git  # inside a git work tree

    def child(self, directory: str) -> IgnoreRules:
        git = self.git or os.path.exists(os.path.join(directory, ".git"))
        lines: list[str] = []
        for name in IGNORE_FILES if git else IGNORE_FILES[1:]:
            lines.extend(_read_lines(os.path.join(directory, name)))
        if not lines:
            return self if git == self.git else IgnoreRules(self.root, self.specs, git)
        return IgnoreRules(self.root, (*self.specs, _spec(directory, lines)), git)

    def ignored(self, path: str, is_dir: bool) -> bool:
        result = False
        for base, spec, anything in self.specs:
            rel = path[len(base) :] if path.startswith(base) else os.path.relpath(path, base)
            if os.sep != "/":
                rel = rel.replace(os.sep, "/")
            if is_dir:
                rel += "/"
            if anything is not None and not anything.search(rel):
                continue  # one regex pass says no pattern matches: the common case
            # A deeper file's verdict overrides a shallower one, as in git; only an explicit
            # match (ignore or negation) changes the verdict.
            check = spec.check_file(rel)
            if check.include is not None:
                result = check.include
        return result


_Spec = tuple[str, pathspec.PathSpec, "re.Pattern[str] | None"]


def _spec(directory: str, lines: list[str]) -> _Spec:
    spec = pathspec.GitIgnoreSpec.from_lines(lines)
    regexes = [getattr(p, "regex", None) for p in spec.patterns if p.include is not None]
    anything = None
    if all(isinstance(r, re.Pattern) for r in regexes):
        # Named groups repeat across patterns; the prefilter needs none of them.
        joined = "|".join(f"(?:{r.pattern})" for r in regexes if isinstance(r, re.Pattern))
        anything = re.compile(re.sub(r"\(\?P<\w+>", "(?:", joined) or "(?!)")
    return directory.rstrip(os.sep) + os.sep, spec, anything


def in_git_tree(directory: str) -> bool:
    """Whether `directory` is inside a git work tree (it or a parent holds `.git`)."""
    current = os.path.abspath(directory)
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return True
        parent = os.path.dirname(current)
        if parent == current:
            return False
        current = parent


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
    git = in_git_tree(root)
    if git:
        base_lines += _read_lines(os.path.join(root, ".git", "info", "exclude"))
    rules = IgnoreRules(root, (_spec(root, base_lines),), git)
    return rules.child(root)


def scan(
    root: str | Path,
    excludes: Sequence[str] = (),
    max_file_size: int = DEFAULT_MAX_FILE_SIZE,
    limits: ScanLimits | None = None,
    record: Path | None = None,
) -> ScanResult:
    """Every indexable file under `root`, with size and mtime (no file is opened), up to
    `limits` (the files found first, in the scan's stable order; `capped` says which limit).
    With a `record` file, directories unchanged since the scan that wrote it are not listed
    again (`indexer.scan_cache`), and the record is rewritten for the next scan."""
    root = os.path.abspath(root)
    limits = limits or ScanLimits()
    result = ScanResult([], 0)
    seen: set[tuple[int, int]] = set()
    # Sorted: a set's order changes from one process to the next (string hashing).
    every_exclude = (*DEFAULT_EXCLUDES, *sorted(ALWAYS_SKIPPED), *excludes)
    settings = settings_key(every_exclude, max_file_size, sorted(BY_EXTENSION), in_git_tree(root))
    old = DirCache.load(record, settings)
    new = DirCache(settings, scanned_ns=time.time_ns())
    # Depth first, each directory's files before its subdirectories, all in name order.
    stack = [_Visit(root, _Rules(None, root, root_rules(root, excludes)), False)]
    fence = os.path.realpath(root)
    while stack and not result.capped:
        visit = stack.pop()
        stack.extend(reversed(_list(visit, seen, result, max_file_size, fence, old, new, limits)))
    if result.capped:
        # A capped scan's record would be partial: the next scan lists everything again.
        log.warning("index of %s stopped early: %s", root, result.capped)
    elif record is not None and not new.reused == len(new.listings) == len(old.listings):
        new.save(record)  # else the record on disk says the same
    return result


class _Rules:
    """A directory's ignore rules, read only when the directory has to be listed."""

    __slots__ = ("_directory", "_parent", "_rules")

    def __init__(self, parent: _Rules | None, directory: str, rules: IgnoreRules | None = None):
        self._parent, self._directory, self._rules = parent, directory, rules

    def get(self) -> IgnoreRules:
        if self._rules is None:
            assert self._parent is not None
            self._rules = self._parent.get().child(self._directory)
        return self._rules


@dataclass(frozen=True, slots=True)
class _Visit:
    directory: str
    rules: _Rules
    relist: bool  # the ignore rules above changed: recorded listings below do not count


# The files whose change changes the ignore rules of a directory and those below it.
_RULE_FILES = (*IGNORE_FILES, ".git")


def _list(
    visit: _Visit,
    seen: set[tuple[int, int]],
    result: ScanResult,
    max_file_size: int,
    fence: str,
    old: DirCache,
    new: DirCache,
    limits: ScanLimits,
) -> list[_Visit]:
    """Add a directory's indexable files to `result`; return its subdirectories to visit."""
    directory = visit.directory
    try:
        dir_stat = os.stat(directory)
        key = (dir_stat.st_dev, dir_stat.st_ino)
        if key in seen:
            log.info("skipping %s: already visited (symlink loop or duplicate)", directory)
            return []
        seen.add(key)
    except OSError as exc:
        log.warning("skipping directory %s: %s", directory, exc)
        return []
    relist = visit.relist
    listing = None if relist else old.trusted(directory, dir_stat.st_mtime_ns)
    if listing is not None and any(
        stamp(os.path.join(directory, name)) != tuple(was) for name, was in listing[3].items()
    ):
        listing, relist = None, True  # an ignore file was edited in place
    if listing is None:
        try:
            listing = _listing(directory, visit.rules.get(), dir_stat.st_mtime_ns, fence)
        except OSError as exc:
            log.warning("skipping directory %s: %s", directory, exc)
            return []
        before = old.listings.get(directory)
        relist = relist or (before is not None and before[3] != listing[3])
    else:
        new.reused += 1
    new.listings[directory] = listing
    prefix = directory if directory.endswith(os.sep) else directory + os.sep
    append = result.files.append
    for name, language in listing[1]:
        path = prefix + name
        try:
            st = os.stat(path)  # a dangling link raises
        except OSError as exc:
            log.info("skipping %s: %s", path, exc)
            continue
        if not stat.S_ISREG(st.st_mode):
            continue
        if st.st_size > max_file_size:
            log.info(
                "skipping %s: %d bytes is over the %d byte limit", path, st.st_size, max_file_size
            )
            result.skipped += 1
            continue
        if len(result.files) >= limits.files:
            result.capped = (
                f"the file limit ({limits.files} files, setting index.maxFiles) was reached; "
                "exclude folders (index.exclude, .ignore) or raise the limit"
            )
            return []
        if result.total_size + st.st_size > limits.total_size:
            result.capped = (
                f"the size limit ({limits.total_size} bytes, setting index.maxTotalSize) was "
                "reached; exclude folders (index.exclude, .ignore) or raise the limit"
            )
            return []
        result.total_size += st.st_size
        append(ScannedFile(path, language, st.st_size, st.st_mtime_ns))
    subdirs = [prefix + name for name in listing[2]]
    return [_Visit(sub, _Rules(visit.rules, sub), relist) for sub in subdirs]


def _listing(directory: str, rules: IgnoreRules, mtime_ns: int, fence: str) -> Listing:
    """List `directory`: its indexable files (by name, with their language) and the
    subdirectories to descend into, as the ignore rules say, with its rule files' stamps."""
    entries = sorted(os.scandir(directory), key=_entry_name)
    files: list[tuple[str, str]] = []
    subdirs: list[str] = []
    rule_files: dict[str, Stamp] = {}
    for entry in entries:
        if entry.name in _RULE_FILES:
            try:
                st = entry.stat(follow_symlinks=False)
                rule_files[entry.name] = (st.st_size, st.st_mtime_ns)
            except OSError:
                pass
        if entry.is_symlink() and not _inside(os.path.realpath(entry.path), fence):
            log.info("skipping %s: a symlink leading out of the workspace", entry.path)
            continue
        try:
            is_dir = entry.is_dir()  # follows symlinks; the type comes with the listing
        except OSError as exc:
            log.info("skipping %s: %s", entry.path, exc)
            continue
        if is_dir:
            if entry.name not in ALWAYS_SKIPPED and not rules.ignored(entry.path, True):
                subdirs.append(entry.name)
            continue
        spec = spec_for_path(entry.name)
        if spec is None or rules.ignored(entry.path, False):
            continue  # no grammar, or ignored: no stat needed
        files.append((entry.name, spec.name))
    exclude = stamp(os.path.join(directory, ".git", "info", "exclude"))
    if exclude is not None and directory == rules.root:
        rule_files[".git/info/exclude"] = exclude
    return mtime_ns, files, subdirs, rule_files


_entry_name = attrgetter("name")


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
