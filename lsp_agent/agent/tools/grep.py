"""Grep: ripgrep when it is installed, a Python search with the same output otherwise.

Both backends print what `rg --no-heading --with-filename` prints (absolute paths, `path:N:line`
for matches, `path-N-line` for context, `--` between groups), so results and tests do not depend
on which one ran. Both honour .gitignore files inside a git work tree, search hidden files and
skip `.git` and symlinks.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from lsp_agent.agent.permissions import confinement
from lsp_agent.agent.tools import grep_python, proc
from lsp_agent.agent.tools.base import ToolContext, ToolError, ToolResult
from lsp_agent.agent.tools.common import BaseTool, arg, path_arg

Mode = Literal["files_with_matches", "content", "count"]
MODES = ("files_with_matches", "content", "count")
MAX_OUTPUT_CHARS = 30_000
RG_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Query:
    pattern: str
    base: Path
    root: Path  # the workspace root containing `base`: .gitignore files apply from here down
    mode: Mode
    ignore_case: bool
    line_numbers: bool
    before: int
    after: int
    globs: tuple[str, ...]
    file_type: str | None
    multiline: bool


class Grep(BaseTool):
    name = "Grep"
    description = (
        "Searches file contents with a regular expression (ripgrep syntax). Filter files with "
        "`glob` (`*.py`, `*.{ts,tsx}`) or `type` (py, js, rust...). output_mode: "
        "files_with_matches (default; paths, most recently modified first), content (matching "
        "lines; -n line numbers, on by default; -A/-B/-C context lines) or count. head_limit "
        "keeps the first N results. multiline lets `.` and patterns span lines. Files ignored "
        "by .gitignore are skipped."
    )
    input_schema = {
        "type": "object",
        "properties": {
            "pattern": {"type": "string", "description": "The regular expression to search"},
            "path": {
                "type": "string",
                "description": "File or directory to search (default: the working directory)",
            },
            "glob": {"type": "string", "description": "Glob filter for files, e.g. *.js"},
            "type": {"type": "string", "description": "File type filter, e.g. py, js, rust"},
            "output_mode": {"type": "string", "enum": list(MODES)},
            "-i": {"type": "boolean", "description": "Case insensitive search"},
            "-n": {"type": "boolean", "description": "Line numbers (content mode)"},
            "-A": {"type": "integer", "description": "Lines after each match (content mode)"},
            "-B": {"type": "integer", "description": "Lines before each match (content mode)"},
            "-C": {"type": "integer", "description": "Lines around each match (content mode)"},
            "head_limit": {"type": "integer", "description": "Keep only the first N results"},
            "multiline": {"type": "boolean", "description": "Patterns may span lines"},
        },
        "required": ["pattern"],
        "additionalProperties": False,
    }

    def __init__(self, backend: Literal["auto", "rg", "python"] = "auto") -> None:
        self.backend = backend

    async def call(self, tool_input: dict[str, Any], ctx: ToolContext) -> ToolResult:
        query = _query(tool_input, ctx)
        head_limit = arg(tool_input, "head_limit", int, 0)
        rg = ripgrep() if self.backend != "python" else None
        if self.backend == "rg" and rg is None:
            raise ToolError("ripgrep (rg) is not installed")
        if rg is not None:
            lines = await _run_rg(rg, query, ctx)
        else:
            lines = await asyncio.to_thread(grep_python.search, query, ctx.cancel)
        return ToolResult(_render(query, lines, head_limit))


def ripgrep() -> str | None:
    """The ripgrep to run: `LSP_AGENT_RIPGREP` if set (empty: none, use the Python search),
    else the one the package ships (the `ripgrep` wheel puts `rg` beside the interpreter; a
    system rg may be too old for the regexes Claude writes, such as `\\/`), else rg on PATH."""
    chosen = os.environ.get("LSP_AGENT_RIPGREP")
    if chosen is not None:
        return chosen or None
    name = "rg.exe" if sys.platform == "win32" else "rg"
    for folder in (sysconfig.get_path("scripts"), os.path.dirname(sys.executable)):
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("rg")


def _query(tool_input: dict[str, Any], ctx: ToolContext) -> Query:
    base = path_arg(tool_input, "path", ctx, None)
    if not base.exists():
        raise ToolError(f"Path does not exist: {base}")
    mode = arg(tool_input, "output_mode", str, "files_with_matches")
    if mode not in MODES:
        raise ToolError(f"output_mode must be one of {', '.join(MODES)}")
    context = arg(tool_input, "-C", int, 0)
    glob = arg(tool_input, "glob", str, "")
    return Query(
        pattern=arg(tool_input, "pattern", str),
        base=base,
        root=confinement.root_of(base, ctx.roots) or base,
        mode=mode,
        ignore_case=arg(tool_input, "-i", bool, False),
        line_numbers=arg(tool_input, "-n", bool, True),
        before=max(arg(tool_input, "-B", int, context), 0) if mode == "content" else 0,
        after=max(arg(tool_input, "-A", int, context), 0) if mode == "content" else 0,
        globs=tuple(glob.split()),
        file_type=arg(tool_input, "type", str, None),
        multiline=arg(tool_input, "multiline", bool, False),
    )


def rg_argv(rg: str, q: Query) -> list[str]:
    # .gitignore counts inside a git work tree only (ripgrep's default), as in the Python search;
    # --sort path: a stable order (and head_limit keeps the same lines every time).
    argv = [
        rg,
        "--no-config",
        "--hidden",
        "--no-ignore-global",
        "--no-ignore-exclude",
        "--no-ignore-dot",
        "--no-messages",
        "--color",
        "never",
        "--sort",
        "path",
        "--with-filename",
        "--glob",
        "!.git",
    ]
    argv += {
        "files_with_matches": ["--files-with-matches"],
        "count": ["--count"],
        "content": ["--no-heading"],
    }[q.mode]
    if q.mode == "content":
        argv += ["--line-number" if q.line_numbers else "--no-line-number"]
        argv += ["-B", str(q.before), "-A", str(q.after)]
    if q.ignore_case:
        argv.append("--ignore-case")
    if q.multiline:
        argv += ["--multiline", "--multiline-dotall"]
    for glob in q.globs:
        argv += ["--glob", glob]
    if q.file_type:
        argv += ["--type", q.file_type]
    return [*argv, "--regexp", q.pattern, "--", str(q.base)]


async def _run_rg(rg: str, q: Query, ctx: ToolContext) -> list[str]:
    # rg's exit status 1 means no match; 2 an error, with matches possibly printed anyway.
    done = await proc.run(
        rg_argv(rg, q),
        cwd=q.base if q.base.is_dir() else q.base.parent,
        timeout_s=RG_TIMEOUT_S,
        cancel=ctx.cancel,
        head=50_000_000,
        tail=0,
        merge_stderr=False,
    )
    if done.timed_out:
        raise ToolError(f"search timed out after {RG_TIMEOUT_S:g}s; narrow the path or glob")
    if done.returncode == 2 and not done.output:
        raise ToolError(f"rg: {done.stderr.strip()}")
    return done.output.splitlines()


def _render(q: Query, lines: list[str], head_limit: int) -> str:
    if q.mode == "files_with_matches":
        lines = sorted(lines, key=lambda p: (-_mtime(p), p))
    total = len(lines)
    if head_limit > 0:
        lines = lines[:head_limit]
    if not lines:
        return "No files found" if q.mode == "files_with_matches" else "No matches found"
    body = "\n".join(lines)
    if len(body) > MAX_OUTPUT_CHARS:
        body = body[:MAX_OUTPUT_CHARS] + "\n... (output truncated; narrow the search)"
    if q.mode == "files_with_matches":
        shown = f" (showing {len(lines)})" if len(lines) < total else ""
        return f"Found {total} file{'s' if total != 1 else ''}{shown}\n{body}"
    if len(lines) < total:
        body += f"\n... ({total - len(lines)} more lines; raise head_limit to see them)"
    return body


def _mtime(path: str) -> int:
    with contextlib.suppress(OSError):
        return Path(path).stat().st_mtime_ns
    return 0
