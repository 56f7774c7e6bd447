"""Glob and LS: finding files by name.

Glob behaves as Claude Code's does (and as real models expect from it): ignore files do not
apply, hidden files are included, and a pattern without a slash matches a file's name at any
depth (`.gitignore` finds `.pytest_cache/.gitignore` too), as ripgrep's `--glob` does. LS skips
what .gitignore ignores (see walk.py)."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

from lsp_agent.agent.permissions import confinement
from lsp_agent.agent.tools.base import ToolContext, ToolError, ToolResult
from lsp_agent.agent.tools.common import BaseTool, arg, path_arg
from lsp_agent.agent.tools.walk import glob_excludes, glob_regex, walk

GLOB_LIMIT = 100
LS_LIMIT = 1000


class Glob(BaseTool):
    name = "Glob"
    description = (
        "Finds files by glob pattern (`**/*.py`, `src/**/*.{ts,tsx}`), matched against paths "
        "relative to `path` (default: the working directory); a pattern without a slash "
        "matches file names at any depth. Ignored and hidden files are included. Returns "
        "absolute paths, most recently modified first, at most 100."
    )
    input_schema = {
        "type": "object",
        "properties": {
            "pattern": {"type": "string", "description": "The glob pattern to match files"},
            "path": {"type": "string", "description": "The directory to search in"},
        },
        "required": ["pattern"],
        "additionalProperties": False,
    }

    async def call(self, tool_input: dict[str, Any], ctx: ToolContext) -> ToolResult:
        pattern = arg(tool_input, "pattern", str)
        base = path_arg(tool_input, "path", ctx, None)
        if pattern.startswith("/"):
            # An absolute pattern: search from its longest literal prefix inside the roots.
            literal = Path(pattern.split("*")[0].split("?")[0].split("{")[0].split("[")[0])
            start = literal if literal.is_dir() else literal.parent
            base = confinement.resolve(str(start), ctx.cwd, ctx.roots)
            pattern = Path(pattern).relative_to(start).as_posix()
        found = await asyncio.to_thread(_glob, base, pattern, ctx)
        if not found:
            return ToolResult("No files found")
        lines = [str(p) for p in found[:GLOB_LIMIT]]
        if len(found) > GLOB_LIMIT:
            lines.append("(Results are truncated. Consider using a more specific path or pattern.)")
        return ToolResult("\n".join(lines))


def _glob(base: Path, pattern: str, ctx: ToolContext) -> list[Path]:
    if not base.is_dir():
        raise ToolError(f"Directory does not exist: {base}")
    regex = glob_regex(pattern)
    by_name = "/" not in pattern.strip("/")
    found = [
        p
        for p in walk(base, base, ctx.cancel, ignore_files=False)
        if regex.fullmatch(p.name if by_name else p.relative_to(base).as_posix())
    ]
    return sorted(found, key=lambda p: (-_mtime(p), str(p)))


def _mtime(path: Path) -> int:
    with contextlib.suppress(OSError):
        return path.stat().st_mtime_ns
    return 0


class LS(BaseTool):
    name = "LS"
    description = (
        "Lists files and directories under `path` (an absolute directory path) as a tree, "
        "skipping hidden and .gitignore'd entries. `ignore` takes glob patterns to leave out. "
        "Prefer Glob and Grep when you know what you are looking for."
    )
    input_schema = {
        "type": "object",
        "properties": {
            "path": {"type": "string", "description": "The absolute path of the directory"},
            "ignore": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Glob patterns to ignore",
            },
        },
        "required": ["path"],
        "additionalProperties": False,
    }

    async def call(self, tool_input: dict[str, Any], ctx: ToolContext) -> ToolResult:
        base = path_arg(tool_input, "path", ctx)
        ignore = arg(tool_input, "ignore", list, [])
        if not base.is_dir():
            raise ToolError(f"Not a directory: {base}")
        files = await asyncio.to_thread(_listing, base, ignore, ctx)
        return ToolResult(_tree(base, files))


def _listing(base: Path, ignore: list[Any], ctx: ToolContext) -> list[str]:
    root = confinement.root_of(base, ctx.roots) or base
    found = []
    for path in walk(base, root, ctx.cancel):
        rel = path.relative_to(base).as_posix()
        if any(part.startswith(".") for part in rel.split("/")):
            continue
        if any(glob_excludes(str(g), rel) for g in ignore):
            continue
        found.append(rel)
        if len(found) > LS_LIMIT:
            break
    return sorted(found)


def _tree(base: Path, files: list[str]) -> str:
    lines = [f"- {base}/"]
    shown: set[str] = set()
    for rel in files[:LS_LIMIT]:
        parts = rel.split("/")
        for depth in range(1, len(parts)):
            directory = "/".join(parts[:depth])
            if directory not in shown:
                shown.add(directory)
                lines.append(f"{'  ' * depth}- {parts[depth - 1]}/")
        lines.append(f"{'  ' * len(parts)}- {parts[-1]}")
    if len(files) > LS_LIMIT:
        lines.append(f"(more than {LS_LIMIT} files; list a subdirectory or use Glob)")
    return "\n".join(lines)
