"""The registry's API tool list, TodoWrite, and the index-backed tools over a real index."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from indexer.workspace import WorkspaceIndex
from lsp_agent.agent.tools import kinds
from lsp_agent.agent.tools.base import ToolContext
from lsp_agent.agent.tools.registry import api_tools, default_tools, find
from lsp_agent.agent.tools.symbols import FileOutline, FindDefinition, SymbolSearch
from lsp_agent.agent.tools.todo import TodoWrite

from .conftest import write_tree

CLAUDE_CODE_TOOLS = [
    "Read",
    "Write",
    "Edit",
    "MultiEdit",
    "NotebookEdit",
    "Glob",
    "Grep",
    "LS",
    "Bash",
    "TaskOutput",
    "TaskStop",
    "TodoWrite",
    "TaskCreate",
    "TaskGet",
    "TaskList",
    "TaskUpdate",
    "WebFetch",
    "WebSearch",
]


def test_default_tools_and_api_list() -> None:
    tools = default_tools()
    assert [t.name for t in tools] == CLAUDE_CODE_TOOLS
    listed = api_tools(tools)
    for entry, tool in zip(listed, tools, strict=True):
        assert set(entry) == {"name", "description", "input_schema"}
        assert re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", entry["name"])
        assert entry["input_schema"]["type"] == "object"
        assert set(entry["input_schema"]["required"]) <= set(entry["input_schema"]["properties"])
        assert tool.read_only is kinds.is_read_only(tool.name)
    assert find(tools, "Grep") is tools[6]
    assert find(tools, "Nope") is None


TODO_CASES = {
    "valid": ([{"content": "Run tests", "status": "in_progress", "activeForm": "Running"}], None),
    "bad status": ([{"content": "x", "status": "doing", "activeForm": "x"}], "status must be"),
    "empty content": ([{"content": " ", "status": "pending", "activeForm": "x"}], "empty"),
    "not an object": (["x"], "must be an object"),
}


@pytest.mark.parametrize(("todos", "error"), TODO_CASES.values(), ids=TODO_CASES.keys())
async def test_todo_write(ctx: ToolContext, todos: list[Any], error: str | None) -> None:
    held = ctx.todos
    result = await TodoWrite().run({"todos": todos}, ctx)
    if error is None:
        assert not result.is_error
        assert held == todos
    else:
        assert result.is_error and error in str(result.content)
        assert held == []


SOURCE = """class Store:
    def load(self, key):
        return key


def parse_config(text):
    return Store()
"""


@pytest.fixture
def indexed(ctx: ToolContext, tmp_path: Path) -> ToolContext:
    write_tree(ctx.cwd, {"app/store.py": SOURCE, "app/main.py": "parse_config('x')\n"})
    index = WorkspaceIndex(ctx.cwd, tmp_path / "cache", workers=1)
    index.refresh()
    ctx.index = index
    return ctx


SYMBOL_CASES = {
    "search": (
        SymbolSearch,
        {"query": "parse_conf"},
        "function parse_config {ws}/app/store.py:6: def parse_config(text):",
    ),
    "search method": (
        SymbolSearch,
        {"query": "load"},
        "method Store.load {ws}/app/store.py:2: def load(self, key):",
    ),
    "definition": (
        FindDefinition,
        {"name": "Store", "file_path": "app/main.py"},
        "{ws}/app/store.py:1: class Store\n    class Store:",
    ),
    "outline": (
        FileOutline,
        {"file_path": "app/store.py"},
        "1: class Store - class Store:\n  2: method load - def load(self, key):\n"
        "6: function parse_config - def parse_config(text):",
    ),
    "no definition": (FindDefinition, {"name": "Nope"}, "No definition of 'Nope' in the index"),
}


@pytest.mark.parametrize(
    ("tool", "tool_input", "expected"), SYMBOL_CASES.values(), ids=SYMBOL_CASES.keys()
)
async def test_symbol_tools(
    indexed: ToolContext, tool: Any, tool_input: dict[str, Any], expected: str
) -> None:
    result = await tool().run(tool_input, indexed)
    assert not result.is_error, result.content
    assert str(result.content).startswith(expected.replace("{ws}", str(indexed.cwd)))


async def test_symbol_tools_without_index(ctx: ToolContext) -> None:
    result = await SymbolSearch().run({"query": "x"}, ctx)
    assert result.is_error and "no symbol index" in str(result.content)
    assert [t.name for t in default_tools(index=object())][-3:] == [  # type: ignore[arg-type]
        "SymbolSearch",
        "FindDefinition",
        "FileOutline",
    ]


async def test_task_tools_keep_one_list(ctx: ToolContext) -> None:
    from lsp_agent.agent.tools.tasks import TaskCreate, TaskGet, TaskList, TaskUpdate

    await TaskCreate().run({"subject": "Run the tests", "activeForm": "Running the tests"}, ctx)
    await TaskCreate().run({"subject": "Fix the bug"}, ctx)
    update = {"taskId": "2", "status": "in_progress", "addBlockedBy": ["1"]}
    assert not (await TaskUpdate().run(update, ctx)).is_error
    listing = (await TaskList().run({}, ctx)).content
    assert listing == "#1 [pending] Run the tests\n#2 [in_progress] Fix the bug (blocked by 1)"
    assert '"activeForm": "Running the tests"' in str(
        (await TaskGet().run({"taskId": "1"}, ctx)).content
    )
    unknown = await TaskUpdate().run({"taskId": "2", "addBlocks": ["9"]}, ctx)
    assert unknown.is_error and "No task '9'" in str(unknown.content)
    await TaskUpdate().run({"taskId": "1", "status": "deleted"}, ctx)
    assert (await TaskList().run({}, ctx)).content == "#2 [in_progress] Fix the bug (blocked by 1)"
