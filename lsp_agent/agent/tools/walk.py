"""Walking a workspace the way ripgrep does: .gitignore files honoured at every level inside a
git work tree and nowhere else (the deepest opinion wins, `!` re-includes), hidden files
included, `.git` and symlinks skipped (so a link pointing outside the workspace is never
followed). Plus glob patterns as regexes."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pathspec
from indexer.scan import in_git_tree

from lsp_agent.agent.ports import CancelToken

SKIP_DIRS = frozenset({".git"})


@dataclass(frozen=True)
class Ignores:
    """The .gitignore specs in force for a directory, shallowest first."""

    specs: tuple[tuple[Path, pathspec.GitIgnoreSpec], ...] = ()

    def ignored(self, path: Path, is_dir: bool) -> bool:
        for base, spec in reversed(self.specs):
            rel = path.relative_to(base).as_posix() + ("/" if is_dir else "")
            include = spec.check_file(rel).include
            if include is not None:
                return include
        return False

    def entering(self, directory: Path) -> Ignores:
        try:
            lines = (directory / ".gitignore").read_text(errors="replace").splitlines()
        except OSError:
            return self
        return Ignores((*self.specs, (directory, pathspec.GitIgnoreSpec.from_lines(lines))))


class _NoIgnores(Ignores):
    """Reads no .gitignore: Glob's view of the tree."""

    def ignored(self, path: Path, is_dir: bool) -> bool:
        return False

    def entering(self, directory: Path) -> Ignores:
        return self


NO_IGNORES = _NoIgnores()


class _OutsideGit(_NoIgnores):
    """Outside a git work tree a .gitignore means nothing (as in git and ripgrep, and as the
    index scans), until a directory holding `.git` starts one."""

    def entering(self, directory: Path) -> Ignores:
        return Ignores().entering(directory) if (directory / ".git").exists() else self


def ignores_for(top: Path, root: Path) -> Ignores:
    """The specs from every .gitignore between the workspace `root` and `top`, inclusive."""
    chain = [top, *top.parents] if top.is_relative_to(root) else [top]
    inside = [directory for directory in reversed(chain) if directory.is_relative_to(root)]
    ignores = Ignores() if inside and in_git_tree(str(inside[0])) else _OutsideGit()
    for directory in inside:
        ignores = ignores.entering(directory)
    return ignores


def walk(
    top: Path,
    root: Path,
    cancel: CancelToken,
    rescue: Callable[[Path], bool] | None = None,
    *,
    ignore_files: bool = True,
) -> Iterator[Path]:
    """Files under `top` (or `top` itself if it is a file), in path order like `rg --sort
    path`: each directory's entries by name, descending into subdirectories in place.
    `rescue(file)` True keeps an ignored file (ripgrep's --glob overrides .gitignore);
    `ignore_files` False reads no .gitignore at all (only `.git` is skipped)."""
    if not top.is_dir():
        if top.exists():
            yield top
        return
    yield from _walk_dir(
        top, ignores_for(top, root) if ignore_files else NO_IGNORES, cancel, rescue
    )


def _walk_dir(
    directory: Path, ignores: Ignores, cancel: CancelToken, rescue: Callable[[Path], bool] | None
) -> Iterator[Path]:
    cancel.check()
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return  # unreadable directory: skip it, as ripgrep does
    for entry in entries:
        if entry.is_symlink():
            continue
        path = Path(entry.path)
        is_dir = entry.is_dir()
        if is_dir and entry.name in SKIP_DIRS:
            continue
        if ignores.ignored(path, is_dir) and (is_dir or rescue is None or not rescue(path)):
            continue
        if is_dir:
            yield from _walk_dir(path, ignores.entering(path), cancel, rescue)
        else:
            yield path


def expand_braces(pattern: str) -> list[str]:
    """`*.{ts,tsx}` -> [`*.ts`, `*.tsx`], innermost braces first, nested ones too."""
    match = re.search(r"\{([^{}]*)\}", pattern)
    if match is None:
        return [pattern]
    head, tail = pattern[: match.start()], pattern[match.end() :]
    return [p for alt in match.group(1).split(",") for p in expand_braces(head + alt + tail)]


@lru_cache(maxsize=256)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """A regex matching whole '/'-separated relative paths: `**/` any directories (or none),
    `*` and `?` within one path segment, `[...]` classes, `{a,b}` alternatives."""
    return re.compile("|".join(f"(?:{_translate(p)})" for p in expand_braces(pattern)))


def _translate(pattern: str) -> str:
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and (end := pattern.find("]", i + 2)) != -1:
            body = pattern[i + 1 : end]
            out.append("[" + ("^" + body[1:] if body[0] in "!^" else body) + "]")
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out)


def glob_matches(pattern: str, rel: str) -> bool:
    """ripgrep's `--glob` rule: a pattern without '/' matches the file name at any depth."""
    target = rel if "/" in pattern.strip("/") else rel.rsplit("/", 1)[-1]
    return glob_regex(pattern.lstrip("/")).fullmatch(target) is not None


def glob_excludes(pattern: str, rel: str) -> bool:
    """Whether `pattern` matches the file `rel` or one of its directories."""
    parts = rel.split("/")
    return any(glob_matches(pattern, "/".join(parts[: i + 1])) for i in range(len(parts)))
