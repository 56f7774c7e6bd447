"""A skill's `paths`: glob patterns (relative to the project, as in path-specific rules) that
limit when the model is offered the skill. Such a skill is left out of the skills listed in the
system prompt until a tool call works with a file that matches (`file_path` or
`notebook_path`); from then on it is offered for the rest of the session, and the tool's result
says so. The user can still run it as `/name` at any time.

Patterns: `*` and `?` stay within one path segment, `**` spans any number of them, `{a,b}`
expands; `*.md` matches Markdown files in the project root only, `**/*.md` at any depth.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from lsp_agent.agent.claude import frontmatter

_BRACES = re.compile(r"\{([^{}]*)\}")
PATH_KEYS = ("file_path", "notebook_path")


def parse(value: str | list[str] | None) -> tuple[str, ...]:
    """The `paths` frontmatter: a YAML list or one comma-separated string."""
    return tuple(p.strip().removeprefix("./") for p in frontmatter.as_list(value) if p.strip())


def expand_braces(pattern: str) -> list[str]:
    match = _BRACES.search(pattern)
    if match is None:
        return [pattern]
    head, tail = pattern[: match.start()], pattern[match.end() :]
    return [x for option in match.group(1).split(",") for x in expand_braces(head + option + tail)]


@lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern[str]:
    parts, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            parts.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            parts.append(".*")
            i += 2
        elif pattern[i] == "*":
            parts.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            parts.append("[^/]")
            i += 1
        else:
            parts.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(parts))


def matches(patterns: Iterable[str], relative: str) -> bool:
    """Whether a project-relative POSIX path matches one of the patterns."""
    return any(
        _regex(expanded).fullmatch(relative)
        for pattern in patterns
        for expanded in expand_braces(pattern)
    )


def touched_files(project: Path, tool_input: dict[str, Any]) -> list[str]:
    """The project-relative files a tool call works with (none outside the project)."""
    found = []
    for key in PATH_KEYS:
        value = tool_input.get(key)
        if not isinstance(value, str) or not value:
            continue
        path = Path(value) if Path(value).is_absolute() else project / value
        relative = _relative(path, project) or _relative(path.resolve(), project.resolve())
        if relative:
            found.append(relative)
    return found


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return ""
