"""Index-backed tools: symbol search, definition lookup, file outline.

They read the tree-sitter index (`indexer.WorkspaceIndex`, or anything with the same three
methods) given at construction or in `ctx.index`; without one they say so as an error result.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from lsp_agent.agent.permissions import confinement
from lsp_agent.agent.tools.base import ToolContext, ToolError, ToolResult
from lsp_agent.agent.tools.common import BaseTool, arg, path_arg

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class SymbolIndex(Protocol):
    def search(self, query: str, limit: int = 100) -> Sequence[Any]: ...
    def definitions(self, name: str) -> Sequence[Any]: ...
    def file_symbols(self, path: str) -> Sequence[Any]: ...


class _IndexTool(BaseTool):
    def __init__(self, index: SymbolIndex | None = None) -> None:
        self.index = index

    def _index(self, ctx: ToolContext) -> SymbolIndex:
        index = ctx.index if ctx.index is not None else self.index
        if index is None:
            raise ToolError("no symbol index is available in this session; use Grep or Glob")
        return index


def _where(symbol: Any) -> str:
    return f"{symbol.path}:{symbol.range.start[0] + 1}"


class SymbolSearch(_IndexTool):
    name = "SymbolSearch"
    description = (
        "Finds classes, functions, methods and other definitions across the workspace by name "
        "(fuzzy: exact, prefix, camelCase initials, substring). Returns kind, qualified name, "
        "file:line and the definition's first line. Faster and more precise than Grep for "
        "'where is X defined'."
    )
    input_schema = {
        "type": "object",
        "properties": {
            "query": {"type": "string", "description": "The symbol name or part of it"},
            "limit": {
                "type": "integer",
                "description": f"At most this many (default {DEFAULT_LIMIT})",
            },
        },
        "required": ["query"],
        "additionalProperties": False,
    }

    async def call(self, tool_input: dict[str, Any], ctx: ToolContext) -> ToolResult:
        query = arg(tool_input, "query", str).strip()
        limit = min(max(arg(tool_input, "limit", int, DEFAULT_LIMIT), 1), MAX_LIMIT)
        if not query:
            raise ToolError("query is empty")
        found = await asyncio.to_thread(self._index(ctx).search, query, limit)
        lines = [
            f"{s.kind} {s.qualified_name} {_where(s)}: {s.signature}"
            for s in confinement.inside_roots(found, ctx.roots)
        ]
        return ToolResult("\n".join(lines) if lines else f"No symbols match {query!r}")


class FindDefinition(_IndexTool):
    name = "FindDefinition"
    description = (
        "Finds where a name is defined. Give the exact name (`parse_config`, `Server`); "
        "optionally file_path, the file where the name is used, to rank definitions from that "
        "file and its imports first."
    )
    input_schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string", "description": "The exact identifier"},
            "file_path": {"type": "string", "description": "Where the name is used"},
        },
        "required": ["name"],
        "additionalProperties": False,
    }

    async def call(self, tool_input: dict[str, Any], ctx: ToolContext) -> ToolResult:
        name = arg(tool_input, "name", str).strip()
        used_in = (
            path_arg(tool_input, "file_path", ctx, None) if "file_path" in tool_input else None
        )
        index = self._index(ctx)
        found = confinement.inside_roots(
            await asyncio.to_thread(index.definitions, name), ctx.roots
        )
        if used_in is not None:
            found.sort(key=lambda s: Path(s.path) != used_in)  # stable: same file first
        if not found:
            return ToolResult(f"No definition of {name!r} in the index")
        return ToolResult(
            "\n".join(
                f"{_where(s)}: {s.kind} {s.qualified_name}\n    {s.signature}"
                for s in found[:MAX_LIMIT]
            )
        )


class FileOutline(_IndexTool):
    name = "FileOutline"
    description = (
        "Lists the definitions in one file (classes, functions, methods...) with their line "
        "numbers, nested by container: a map of the file before reading parts of it."
    )
    input_schema = {
        "type": "object",
        "properties": {
            "file_path": {"type": "string", "description": "The absolute path of the file"},
        },
        "required": ["file_path"],
        "additionalProperties": False,
    }

    async def call(self, tool_input: dict[str, Any], ctx: ToolContext) -> ToolResult:
        path = path_arg(tool_input, "file_path", ctx)
        symbols = await asyncio.to_thread(self._index(ctx).file_symbols, str(path))
        if not symbols:
            return ToolResult(f"No definitions indexed for {path}")
        lines = []
        for s in symbols:
            depth = s.container.count(".") + 1 if s.container else 0
            lines.append(f"{'  ' * depth}{s.range.start[0] + 1}: {s.kind} {s.name} - {s.signature}")
        return ToolResult("\n".join(lines))
