"""The nested parts of a markdown file's frontmatter (`hooks`, `mcpServers`), read as real YAML.

frontmatter.py reads the flat `key: value` subset every command, skill and agent uses; a
frontmatter `hooks` block or an inline MCP server is a nested mapping, as in a settings file,
so those keys are read with a YAML parser, only when a file has them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

# libyaml's safe loader when PyYAML was built with it (ten times faster), else the pure one.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def structured(path: Path) -> dict[str, Any]:
    """The frontmatter of `path` as YAML; ValueError says what is wrong (without the path)."""
    lines = path.read_text(encoding="utf-8", errors="replace").lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        return {}
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        return {}
    try:
        data = yaml.load("\n".join(lines[1:end]), Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (frontmatter line {mark.line + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ValueError(f"the frontmatter is not valid YAML{where}: {problem}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValueError("the frontmatter must be a mapping of keys")
    return data
