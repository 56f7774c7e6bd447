"""The built-in tools and the API's `tools` list.

`default_tools()` is what a run gets; the host adds its own (Task, Skill, MCP tools...).
Index-backed tools are included when an index is given.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal, cast

from lsp_agent.agent.tools.background import TaskOutput, TaskStop
from lsp_agent.agent.tools.base import Tool
from lsp_agent.agent.tools.bash import Bash
from lsp_agent.agent.tools.grep import Grep
from lsp_agent.agent.tools.listing import LS, Glob
from lsp_agent.agent.tools.lsp import LSP
from lsp_agent.agent.tools.notebook import NotebookEdit
from lsp_agent.agent.tools.read import Read
from lsp_agent.agent.tools.symbols import FileOutline, FindDefinition, SymbolIndex, SymbolSearch
from lsp_agent.agent.tools.tasks import TaskCreate, TaskGet, TaskList, TaskUpdate
from lsp_agent.agent.tools.todo import TodoWrite
from lsp_agent.agent.tools.web import WebFetch, WebSearch
from lsp_agent.agent.tools.write import Edit, MultiEdit, Write


def default_tools(
    index: SymbolIndex | None = None,
    grep_backend: Literal["auto", "rg", "python"] = "auto",
) -> list[Tool]:
    tools: list[Any] = [
        Read(),
        Write(),
        Edit(),
        MultiEdit(),
        NotebookEdit(),
        Glob(),
        Grep(grep_backend),
        LS(),
        Bash(),
        TaskOutput(),
        TaskStop(),
        TodoWrite(),
        TaskCreate(),
        TaskGet(),
        TaskList(),
        TaskUpdate(),
        WebFetch(),
        WebSearch(),
    ]
    if index is not None:
        # Claude Code's LSP tool (what models are trained on) next to our own three.
        tools += [LSP(index), SymbolSearch(index), FindDefinition(index), FileOutline(index)]
    # The classes declare name/description/input_schema as ClassVars; structurally Tools.
    return cast(list[Tool], tools)


def by_name(tools: Iterable[Tool]) -> dict[str, Tool]:
    return {tool.name: tool for tool in tools}


def find(tools: Iterable[Tool], name: str) -> Tool | None:
    return by_name(tools).get(name)


def api_tools(tools: Iterable[Tool]) -> list[dict[str, Any]]:
    """The Messages API's `tools` parameter for these tools, in order."""
    return [
        {"name": t.name, "description": t.description, "input_schema": t.input_schema}
        for t in tools
    ]
