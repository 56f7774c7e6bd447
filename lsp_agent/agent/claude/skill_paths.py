"""A skill's `paths`: glob patterns (relative to the project, as in path-specific rules) that
limit when the model is offered the skill. Such a skill is left out of the skills listed in the
system prompt until a tool call works with a file that matches (`file_path` or
`notebook_path`); from then on it is offered for the rest of the session, and the tool's result
says so. The user can still run it as `/name` at any time.

Patterns (the Glob tool's, `tools/walk.py`): `*` and `?` stay within one path segment, `**`
spans any number of them, `{a,b}` expands, `[...]` is a class; `*.md` matches Markdown files
in the project root only, `**/*.md` at any depth.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from lsp_agent.agent.claude import frontmatter
from lsp_agent.agent.tools.walk import glob_regex

PATH_KEYS = ("file_path", "notebook_path")


def parse(value: str | list[str] | None) -> tuple[str, ...]:
    """The `paths` frontmatter: a YAML list or one comma-separated string."""
    return tuple(p.strip().removeprefix("./") for p in frontmatter.as_list(value) if p.strip())


def matches(patterns: Iterable[str], relative: str) -> bool:
    """Whether a project-relative POSIX path matches one of the patterns."""
    # The Glob tool's patterns: no implicit `**/`, so `*.md` stays in the root.
    return any(glob_regex(pattern).fullmatch(relative) for pattern in patterns)


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
