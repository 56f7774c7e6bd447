"""Claude Code's `LSP` tool, answered from the tree-sitter symbol index.

Claude models are trained on this tool's name and input (`operation`, `filePath`, 1-based
`line` and `character`, and since Claude Code 2.1.183 an optional `query` for workspaceSymbol),
so a session with an index offers it next to SymbolSearch/FindDefinition/FileOutline. The
answers come by name, without a language server: see `lsp_answers`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lsp_agent.agent.tools import lsp_answers as answers
from lsp_agent.agent.tools.base import ToolContext, ToolError, ToolResult
from lsp_agent.agent.tools.common import BaseTool, arg, load, path_arg
from lsp_agent.agent.tools.lsp_where import Files, Position, identifier_at

OPERATIONS = (
    "goToDefinition",
    "findReferences",
    "hover",
    "documentSymbol",
    "workspaceSymbol",
    "goToImplementation",
    "prepareCallHierarchy",
    "incomingCalls",
    "outgoingCalls",
)
_AT: dict[str, Callable[[answers.Nav, Files, Position], str]] = {
    "goToDefinition": answers.go_to_definition,
    "findReferences": answers.find_references,
    "hover": answers.hover,
    "goToImplementation": answers.go_to_implementation,
    "prepareCallHierarchy": answers.prepare_call_hierarchy,
    "incomingCalls": answers.incoming_calls,
    "outgoingCalls": answers.outgoing_calls,
}


class LSP(BaseTool):
    name = "LSP"
    description = (
        "Code intelligence from the workspace's symbol index (tree-sitter, by name: no type "
        "inference).\n\nSupported operations:\n"
        "- goToDefinition: Find where a symbol is defined\n"
        "- findReferences: Find all references to a symbol\n"
        "- hover: Get hover information (kind, signature, doc comment) for a symbol\n"
        "- documentSymbol: Get all symbols (functions, classes, variables) in a document\n"
        "- workspaceSymbol: Search for symbols matching a query across the entire workspace\n"
        "- goToImplementation: Find implementations of an interface or abstract method "
        "(best effort: implements/extends clauses, superclass lists, Rust impl Trait for)\n"
        "- prepareCallHierarchy: Get the call hierarchy item at a position (functions/methods)\n"
        "- incomingCalls: Find all functions/methods that call the function at a position\n"
        "- outgoingCalls: Find all functions/methods called by the function at a position\n\n"
        "All operations require:\n"
        "- filePath: The file to operate on\n"
        "- line: The line number (1-based, as shown in editors)\n"
        "- character: The character offset (1-based, as shown in editors)\n\n"
        "The workspaceSymbol operation also takes query, the symbol name or partial name to "
        "search for (without it, the name at the position is searched)."
    )
    input_schema = {
        "type": "object",
        "properties": {
            "operation": {
                "type": "string",
                "enum": list(OPERATIONS),
                "description": "The LSP operation to perform",
            },
            "filePath": {
                "type": "string",
                "description": "The absolute or relative path to the file",
            },
            "line": {
                "type": "integer",
                "minimum": 1,
                "description": "The line number (1-based, as shown in editors)",
            },
            "character": {
                "type": "integer",
                "minimum": 1,
                "description": "The character offset (1-based, as shown in editors)",
            },
            "query": {
                "type": "string",
                "description": "The symbol name or partial name to search for (workspaceSymbol "
                "only)",
            },
        },
        "required": ["operation", "filePath", "line", "character"],
        "additionalProperties": False,
    }

    def __init__(self, index: Any = None) -> None:
        self.index = index

    async def call(self, tool_input: dict[str, Any], ctx: ToolContext) -> ToolResult:
        operation = arg(tool_input, "operation", str)
        if operation not in OPERATIONS:
            raise ToolError(f"unknown operation {operation!r}; one of: {', '.join(OPERATIONS)}")
        path = path_arg(tool_input, "filePath", ctx)
        line = arg(tool_input, "line", int)
        character = arg(tool_input, "character", int)
        if line < 1 or character < 1:
            raise ToolError("line and character are 1-based (as shown in editors): at least 1")
        query = arg(tool_input, "query", str, "").strip()
        index = ctx.index if ctx.index is not None else self.index
        if index is None:
            raise ToolError(
                "no symbol index is available in this session, so LSP cannot answer; "
                "use Grep or Glob"
            )
        nav, files = answers.Nav(index), Files(ctx)
        if operation == "documentSymbol" or (operation == "workspaceSymbol" and query):
            if operation == "workspaceSymbol":
                text = await asyncio.to_thread(answers.workspace_symbol, nav, files, query)
            else:
                _text_of(ctx, path)  # a missing or unreadable file is reported as such
                text = await asyncio.to_thread(answers.document_symbol, nav, files, path)
            return ToolResult(text)
        at = identifier_at(path, _text_of(ctx, path), line, character)
        if operation == "workspaceSymbol":
            text = await asyncio.to_thread(answers.workspace_symbol, nav, files, at.name)
        else:
            text = await asyncio.to_thread(_AT[operation], nav, files, at)
        return ToolResult(text)


def _text_of(ctx: ToolContext, path: Path) -> str:
    try:
        loaded = load(ctx, path)
    except OSError as exc:
        raise ToolError(f"cannot read {path}: {exc.strerror or exc}") from None
    if loaded is None:
        raise ToolError(f"File does not exist: {path}")
    return loaded.text
