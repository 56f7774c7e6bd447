"""The Python fallback for Grep when ripgrep is not installed, printing what rg prints."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from lsp_agent.agent.ports import CancelToken
from lsp_agent.agent.tools.base import ToolError
from lsp_agent.agent.tools.walk import glob_excludes, glob_matches, walk

if TYPE_CHECKING:
    from lsp_agent.agent.tools.grep import Query

# A subset of `rg --type-list`, the types models ask for.
TYPES = {
    "py": ("*.py", "*.pyi"),
    "python": ("*.py", "*.pyi"),
    "js": ("*.js", "*.jsx", "*.mjs", "*.cjs", "*.vue"),
    "ts": ("*.ts", "*.tsx", "*.cts", "*.mts"),
    "go": ("*.go",),
    "rust": ("*.rs",),
    "java": ("*.java", "*.jsp"),
    "c": ("*.c", "*.h", "*.H", "*.C"),
    "cpp": ("*.cpp", "*.cc", "*.cxx", "*.hpp", "*.hh", "*.h"),
    "md": ("*.md", "*.markdown", "*.mdx"),
    "markdown": ("*.md", "*.markdown", "*.mdx"),
    "json": ("*.json",),
    "yaml": ("*.yaml", "*.yml"),
    "toml": ("*.toml",),
    "sh": ("*.sh", "*.bash", "*.zsh", ".bashrc", ".zshrc"),
    "html": ("*.html", "*.htm"),
    "css": ("*.css", "*.scss"),
    "ruby": ("*.rb",),
    "txt": ("*.txt",),
    "sql": ("*.sql",),
}


def search(q: Query, cancel: CancelToken) -> list[str]:
    regex = _compile(q)
    wanted = _type_globs(q.file_type)
    positive = [g for g in q.globs if not g.startswith("!")]

    def rescue(path: Path) -> bool:
        rel = path.relative_to(q.base).as_posix()
        return any(glob_matches(g, rel) for g in positive)

    out: list[str] = []
    for path in walk(q.base, q.root, cancel, rescue if positive else None):
        if q.base.is_dir() and not _selected(path.relative_to(q.base).as_posix(), q, wanted):
            continue
        lines = _lines(path)
        if lines is None:
            continue
        hits = _matching_lines(regex, lines, q.multiline)
        if hits:
            out += _report(q, str(path), lines, hits, separate=bool(out))
    return out


def _compile(q: Query) -> re.Pattern[str]:
    flags = (re.IGNORECASE if q.ignore_case else 0) | (
        re.MULTILINE | re.DOTALL if q.multiline else 0
    )
    try:
        return re.compile(q.pattern, flags)
    except re.error as exc:
        raise ToolError(f"invalid regular expression {q.pattern!r}: {exc}") from None


def _type_globs(file_type: str | None) -> tuple[str, ...] | None:
    if file_type is None:
        return None
    if file_type not in TYPES:
        raise ToolError(f"unrecognized file type: {file_type} (known: {', '.join(TYPES)})")
    return TYPES[file_type]


def _selected(rel: str, q: Query, wanted: tuple[str, ...] | None) -> bool:
    positive = [g for g in q.globs if not g.startswith("!")]
    negative = [g[1:] for g in q.globs if g.startswith("!")]
    if any(glob_excludes(g, rel) for g in negative):
        return False
    if positive and not any(glob_matches(g, rel) for g in positive):
        return False
    return wanted is None or any(glob_matches(g, rel) for g in wanted)


def _lines(path: Path) -> list[str] | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if b"\0" in data:
        return None  # binary, skipped like rg does when searching a directory
    lines = data.decode("utf-8", errors="replace").split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def _matching_lines(regex: re.Pattern[str], lines: list[str], multiline: bool) -> dict[int, int]:
    """{line index: matches counted there}; a multi-line match marks every line it spans and
    counts once, at its first line."""
    if not multiline:
        return {i: 1 for i, line in enumerate(lines) if regex.search(line)}
    text = "\n".join(lines)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    hits: dict[int, int] = {}
    for match in regex.finditer(text):
        first = _line_at(starts, match.start())
        last = _line_at(starts, max(match.end() - 1, match.start()))
        hits[first] = hits.get(first, 0) + 1
        for i in range(first + 1, last + 1):
            hits.setdefault(i, 0)
    return hits


def _line_at(starts: list[int], offset: int) -> int:
    lo, hi = 0, len(starts) - 1
    while lo < hi - 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if starts[mid] <= offset else (lo, mid)
    return lo


def _report(
    q: Query, path: str, lines: list[str], hits: dict[int, int], separate: bool
) -> list[str]:
    if q.mode == "files_with_matches":
        return [path]
    if q.mode == "count":
        return [f"{path}:{sum(hits.values()) if q.multiline else len(hits)}"]
    out = ["--"] if separate and (q.before or q.after) else []
    previous = None
    for i in _shown(sorted(hits), q.before, q.after, len(lines)):
        if previous is not None and i > previous + 1 and (q.before or q.after):
            out.append("--")
        sep = ":" if i in hits else "-"
        number = f"{i + 1}{sep}" if q.line_numbers else ""
        out.append(f"{path}{sep}{number}{lines[i]}")
        previous = i
    return out


def _shown(hits: list[int], before: int, after: int, count: int) -> Iterator[int]:
    seen: set[int] = set()
    for hit in hits:
        for i in range(max(hit - before, 0), min(hit + after + 1, count)):
            if i not in seen:
                seen.add(i)
                yield i
