"""ToolSearch: finds tools by name or keyword and returns their full definitions.

Claude Code defers some tools (MCP tools when there are many) and the model loads them with
ToolSearch. Here every tool is sent with each request, so nothing needs loading; the tool still
answers as Claude Code's does, so a model that calls it (`select:Read`, or keywords) gets the
definitions and goes on.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from lsp_agent.agent.tools.base import Tool, ToolContext, ToolResult


class ToolSearch:
    name = "ToolSearch"
    description = (
        "Finds tools by keyword, or by exact name with `select:Name1,Name2`, and returns their "
        "definitions. Every tool is already available in this session; use this only to look "
        "a tool's parameters up."
    )
    input_schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            "query": {"type": "string", "description": "Keywords, or select:Name[,Name]"},
            "max_results": {"type": "integer", "description": "At most this many (default 5)"},
        },
        "required": ["query"],
        "additionalProperties": False,
    }
    read_only = True

    def __init__(self, tools: Mapping[str, Tool]) -> None:
        self.tools = tools  # the session's own dict: tools added later are found too

    async def run(self, tool_input: dict[str, Any], ctx: ToolContext) -> ToolResult:
        query = str(tool_input.get("query", "")).strip()
        limit = tool_input.get("max_results", 5)
        limit = limit if isinstance(limit, int) and limit > 0 else 5
        if query.startswith("select:"):
            names = [n.strip() for n in query[len("select:") :].split(",") if n.strip()]
            found = [self.tools[n] for n in names if n in self.tools]
        else:
            words = query.lower().split()
            scored = [(_score(t, words), t) for t in self.tools.values()]
            found = [t for score, t in sorted(scored, key=lambda s: -s[0]) if score > 0]
        if not found:
            return ToolResult(f"No tools match {query!r}. Tools: {', '.join(self.tools)}")
        definitions = [
            json.dumps({"name": t.name, "description": t.description, "parameters": t.input_schema})
            for t in found[:limit]
        ]
        return ToolResult("\n".join(f"<function>{d}</function>" for d in definitions))


def _score(tool: Tool, words: list[str]) -> int:
    """A word in the name counts thrice one in the description."""
    name, description = tool.name.lower(), tool.description.lower()
    return sum(3 if w in name else 1 if w in description else 0 for w in words)
