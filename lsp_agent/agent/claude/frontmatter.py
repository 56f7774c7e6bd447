"""The YAML frontmatter of Claude Code's markdown files (commands, skills, agents).

Those files use a flat subset of YAML: `key: value` lines, values optionally quoted, lists either
inline (`[Read, Grep]`), comma-separated (`Read, Grep`) or as `- item` lines, and `>`/`|` blocks
for long descriptions. That subset is parsed here rather than adding a YAML dependency.
"""

from __future__ import annotations

import re
from pathlib import Path

_KEY = re.compile(r"^([A-Za-z0-9_-]+):\s*(.*)$")

Frontmatter = dict[str, str | list[str]]
# Text shown to the user as written: Claude Code's docs write `argument-hint: [message]`, which
# is a hint in brackets, not a one-item list.
AS_WRITTEN = frozenset({"argument-hint"})


def split(text: str) -> tuple[Frontmatter, str]:
    """The frontmatter fields and the body. Text without a leading `---` block is all body."""
    text = text.lstrip("\ufeff")
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return {}, text
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            body = "".join(lines[end + 1 :])
            return parse([line.rstrip("\r\n") for line in lines[1:end]]), body.lstrip("\r\n")
    return {}, text


def read(path: Path) -> tuple[Frontmatter, str]:
    return split(path.read_text(encoding="utf-8", errors="replace"))


def parse(lines: list[str]) -> Frontmatter:
    fields: Frontmatter = {}
    key = ""
    block: list[str] | None = None  # continuation lines of the current key
    for line in lines:
        match = _KEY.match(line)
        if match and not line[:1].isspace():
            if key and block is not None:
                fields[key] = _block(fields[key], block)
            key, value = match.group(1), match.group(2).strip()
            fields[key] = value
            block = []
            continue
        if key and block is not None and line.strip():
            block.append(line.strip())
    if key and block is not None:
        fields[key] = _block(fields[key], block)
    return {
        k: (_unquote(v) if k in AS_WRITTEN else _value(v)) if isinstance(v, str) else v
        for k, v in fields.items()
    }


def _block(head: str | list[str], rest: list[str]) -> str | list[str]:
    if not rest:
        return head
    if all(line.startswith("- ") or line == "-" for line in rest):
        return [_unquote(line[1:].strip()) for line in rest]
    if head in (">", ">-", "|", "|-"):
        return ("\n" if head.startswith("|") else " ").join(rest)
    return " ".join([str(head), *rest]).strip()


def _value(text: str) -> str | list[str]:
    if text.startswith("[") and text.endswith("]"):
        return [_unquote(part.strip()) for part in _split_commas(text[1:-1]) if part.strip()]
    return _unquote(text)


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def as_list(value: str | list[str] | None) -> list[str]:
    """A tools-style field: a list, or one string of comma-separated names."""
    if value is None:
        return []
    if isinstance(value, list):
        return [v for v in value if v]
    return [part.strip() for part in _split_commas(value) if part.strip()]


def _split_commas(text: str) -> list[str]:
    # "Bash(git add:*), Read" must not split inside the parentheses, nor a path glob such as
    # "src/*.{ts,tsx}" inside its braces.
    parts, depth, current = [], 0, ""
    for char in text:
        depth += {"(": 1, ")": -1, "{": 1, "}": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def as_str(value: str | list[str] | None) -> str:
    if value is None:
        return ""
    return ", ".join(value) if isinstance(value, list) else value


def as_bool(value: str | list[str] | None) -> bool:
    return isinstance(value, str) and value.strip().lower() in ("true", "yes", "on", "1")
