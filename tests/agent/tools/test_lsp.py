"""The LSP tool over a real WorkspaceIndex of a small Python + TypeScript workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from indexer.workspace import WorkspaceIndex
from lsp_agent.agent.tools import kinds, validate
from lsp_agent.agent.tools.base import ToolContext
from lsp_agent.agent.tools.lsp import LSP
from lsp_agent.agent.tools.registry import default_tools

from .conftest import write_tree

FILES = {
    "app/shapes.py": '''class Shape:
    """A drawable thing."""

    def area(self):
        return 0


class Square(Shape):
    def __init__(self, side):
        self.side = side

    def area(self):
        return self.side * self.side


# Sums every shape's area.
def total_area(shapes):
    return sum(s.area() for s in shapes)
''',
    "app/main.py": """from app.shapes import Square, total_area


def main():
    shapes = [Square(2), Square(3)]
    print(total_area(shapes))


def report():
    return total_area([])
""",
    "web/greet.ts": """interface Greeter {
  greet(name: string): string;
}

class Polite implements Greeter {
  greet(name: string): string {
    return format("Hello", name);
  }
}

/** Formats a greeting. */
function format(word: string, name: string): string {
  return `${word}, ${name}`;
}
""",
    # Columns count characters, not UTF-8 bytes (é is 2 bytes, the emoji 4, 2 UTF-16 units).
    "app/accents.py": """def naïve():
    return 1
label = "héllo"; naïve()
tag = "🙂"; naïve()
""",
}


@pytest.fixture
def indexed(ctx: ToolContext, tmp_path: Path) -> ToolContext:
    write_tree(ctx.cwd, dict(FILES))
    index = WorkspaceIndex(ctx.cwd, tmp_path / "cache", workers=1)
    index.refresh()
    ctx.index = index
    return ctx


def call(operation: str, where: str, **extra: Any) -> dict[str, Any]:
    path, line, character = where.rsplit(":", 2)
    return {
        "operation": operation,
        "filePath": path,
        "line": int(line),
        "character": int(character),
        **extra,
    }


CASES = {
    "definition": (
        call("goToDefinition", "app/main.py:6:11"),
        "function total_area app/shapes.py:17:5: def total_area(shapes):",
    ),
    "definition at the name's end": (
        call("goToDefinition", "app/main.py:6:21"),
        "function total_area app/shapes.py:17:5: def total_area(shapes):",
    ),
    "definition across bytes": (
        call("goToDefinition", "app/accents.py:3:18"),
        "function naïve app/accents.py:1:5: def naïve():",
    ),
    "definition past an emoji": (
        call("goToDefinition", "app/accents.py:4:12"),
        "function naïve app/accents.py:1:5: def naïve():",
    ),
    "definition past an emoji, in UTF-16 units": (
        call("goToDefinition", "app/accents.py:4:13"),
        "function naïve app/accents.py:1:5: def naïve():",
    ),
    "references": (
        call("findReferences", "app/main.py:6:11"),
        "Found 3 references to `total_area` and 1 definition in 2 files (by name: same-named "
        "symbols are included):\n"
        "app/main.py:1:32 import: from app.shapes import Square, total_area\n"
        "app/main.py:6:11 call: print(total_area(shapes))\n"
        "app/main.py:10:12 call: return total_area([])\n"
        "app/shapes.py:17:5 definition: def total_area(shapes):",
    ),
    "references, character columns": (
        call("findReferences", "app/accents.py:1:5"),
        "Found 2 references to `naïve` and 1 definition in 1 file (by name: same-named symbols "
        "are included):\n"
        "app/accents.py:1:5 definition: def naïve():\n"
        'app/accents.py:3:18 call: label = "héllo"; naïve()\n'
        'app/accents.py:4:12 call: tag = "🙂"; naïve()',
    ),
    "hover with docstring": (
        call("hover", "app/shapes.py:8:14"),
        'class Shape (python) at app/shapes.py:1:7\n    class Shape:\n    """A drawable thing."""',
    ),
    "hover with comment": (
        call("hover", "app/main.py:10:12"),
        "function total_area (python) at app/shapes.py:17:5\n"
        "    # Sums every shape's area.\n    def total_area(shapes):",
    ),
    "hover with a doc comment": (
        call("hover", "web/greet.ts:7:12"),
        "function format (typescript) at web/greet.ts:12:10\n    /** Formats a greeting. */\n"
        "    function format(word: string, name: string): string {",
    ),
    "document symbols": (
        call("documentSymbol", "app/shapes.py:1:1"),
        "6 symbols in app/shapes.py (kind name line:col-end line):\n"
        "class Shape 1:7-5\n  method area 4:9-5\n"
        "class Square 8:7-13\n  method __init__ 9:9-10\n  method area 12:9-13\n"
        "function total_area 17:5-18",
    ),
    "workspace symbol at the position": (
        call("workspaceSymbol", "app/main.py:5:16"),
        "Symbols matching 'Square', best first:\n"
        "class Square app/shapes.py:8:7: class Square(Shape):",
    ),
    "workspace symbol by query": (
        call("workspaceSymbol", "app/main.py:1:1", query="Polite"),
        "Symbols matching 'Polite', best first:\n"
        "class Polite web/greet.ts:5:7: class Polite implements Greeter {",
    ),
    "prepare call hierarchy": (
        call("prepareCallHierarchy", "app/main.py:10:12"),
        "function total_area app/shapes.py:17:5 (lines 17-18): def total_area(shapes):",
    ),
    "incoming calls": (
        call("incomingCalls", "app/shapes.py:17:5"),
        "2 callers of function total_area (2 calls):\n"
        "function main app/main.py:4:5 calls at 6:11\n"
        "function report app/main.py:9:5 calls at 10:12",
    ),
    "outgoing calls": (
        call("outgoingCalls", "app/main.py:4:5"),
        "3 functions called from function main (app/main.py:4:5):\n"
        "class Square app/shapes.py:8:7 called at 5:15, 5:26\n"
        "print (not defined in the index) called at 6:5\n"
        "function total_area app/shapes.py:17:5 called at 6:11",
    ),
    "outgoing calls typescript": (
        call("outgoingCalls", "web/greet.ts:6:3"),
        "1 function called from method Polite.greet (web/greet.ts:6:3):\n"
        "function format web/greet.ts:12:10 called at 7:12",
    ),
    "implementations of an interface": (
        call("goToImplementation", "web/greet.ts:1:11"),
        "Implementations of `Greeter` (by name):\n"
        "class Polite web/greet.ts:5:7: class Polite implements Greeter {",
    ),
    "implementations of an interface method": (
        call("goToImplementation", "web/greet.ts:2:3"),
        "Implementations of `greet of Greeter` (by name):\n"
        "method Polite.greet web/greet.ts:6:3: greet(name: string): string {",
    ),
    "overrides of a python method": (
        call("goToImplementation", "app/shapes.py:4:9"),
        "Implementations of `area of Shape` (by name):\n"
        "method Square.area app/shapes.py:12:9: def area(self):",
    ),
}


@pytest.mark.parametrize(("tool_input", "expected"), CASES.values(), ids=CASES.keys())
async def test_lsp_operations(
    indexed: ToolContext, tool_input: dict[str, Any], expected: str
) -> None:
    assert validate.problem(LSP.input_schema, tool_input) == ""
    result = await LSP().run(tool_input, indexed)
    assert not result.is_error, result.content
    assert result.content == expected


ERRORS = {
    "past the last line": (call("hover", "app/main.py:99:1"), "line 99 is past the end of"),
    "past the line's end": (
        call("hover", "app/main.py:6:40"),
        "character 40 is past the end of line 6",
    ),
    "no identifier": (call("hover", "app/main.py:6:2"), "no identifier at"),
    "missing file": (call("hover", "app/nope.py:1:1"), "File does not exist"),
    "outside the workspace": (call("hover", "../elsewhere.py:1:1"), "outside the workspace"),
    "no definition": (call("goToDefinition", "app/main.py:6:5"), "No definition of `print`"),
    "no calls": (call("incomingCalls", "app/main.py:9:5"), "No calls to `report`"),
    "not a function": (call("incomingCalls", "app/shapes.py:8:7"), "not a function or method"),
    "no implementations": (
        call("goToImplementation", "app/main.py:9:5"),
        "No implementations of `report` found",
    ),
    "no symbols": (call("documentSymbol", "notes.txt:1:1"), "No symbols indexed for notes.txt"),
    "a directory": (call("hover", "app:1:1"), "is a directory"),
    "zero-based line": (call("hover", "app/main.py:0:1"), "1-based"),
    "unknown operation": (call("rename", "app/main.py:1:1"), "unknown operation 'rename'"),
}


@pytest.mark.parametrize(("tool_input", "message"), ERRORS.values(), ids=ERRORS.keys())
async def test_lsp_errors(indexed: ToolContext, tool_input: dict[str, Any], message: str) -> None:
    (indexed.cwd / "notes.txt").write_text("plain words\n")
    result = await LSP().run(tool_input, indexed)
    assert result.is_error
    assert message in str(result.content)


async def test_lsp_without_index(ctx: ToolContext) -> None:
    write_tree(ctx.cwd, {"a.py": "x = 1\n"})
    result = await LSP().run(call("hover", "a.py:1:1"), ctx)
    assert result.is_error and "no symbol index" in str(result.content)
    assert "LSP" not in [t.name for t in default_tools()]
    with_index = [t.name for t in default_tools(index=object())]  # type: ignore[arg-type]
    assert with_index[-4:] == ["LSP", "SymbolSearch", "FindDefinition", "FileOutline"]
    assert kinds.is_read_only("LSP") and "LSP" in kinds.READ_PATH_TOOLS


class Buffers:
    """The editor's unsaved text for some files (a DocumentSource)."""

    def __init__(self, texts: dict[Path, str]) -> None:
        self.texts = texts

    def read_text(self, path: Path) -> str | None:
        return self.texts.get(path)


async def test_lsp_reads_the_position_from_the_open_buffer(indexed: ToolContext) -> None:
    # The user inserted a line above the call without saving: the position names it there.
    main = indexed.cwd / "app" / "main.py"
    on_disk = await LSP().run(call("goToDefinition", "app/main.py:7:11"), indexed)
    assert on_disk.is_error and "past the end of line 7" in str(on_disk.content)
    indexed.documents = Buffers({main: "# new line\n" + main.read_text()})
    result = await LSP().run(call("goToDefinition", "app/main.py:7:11"), indexed)
    assert result.content == "function total_area app/shapes.py:17:5: def total_area(shapes):"


SCHEMA_CASES = {
    "claude code's call": (call("findReferences", "/abs/x.py:3:7"), ""),
    "with query": (call("workspaceSymbol", "x.py:1:1", query="Foo"), ""),
    "missing character": (
        {"operation": "hover", "filePath": "x.py", "line": 1},
        "the required parameter `character` is missing",
    ),
    "zero line": (call("hover", "x.py:0:1"), "`line` must be at least 1, got 0"),
    "string line": (
        {"operation": "hover", "filePath": "x.py", "line": "3", "character": 1},
        "`line` must be an integer",
    ),
    "unknown operation": (call("rename", "x.py:1:1"), "`operation` must be one of goToDefinition"),
    "extra parameter": (
        call("hover", "x.py:1:1", newName="y"),
        "an unexpected parameter `newName`",
    ),
}


@pytest.mark.parametrize(("tool_input", "problem"), SCHEMA_CASES.values(), ids=SCHEMA_CASES.keys())
def test_lsp_input_schema(tool_input: dict[str, Any], problem: str) -> None:
    found = validate.problem(LSP.input_schema, tool_input)
    assert found.startswith(problem) if problem else found == ""


async def test_lsp_caps_long_answers(indexed: ToolContext) -> None:
    calls = "".join(f"total_area([])  # {n}\n" for n in range(150))
    write_tree(indexed.cwd, {"app/many.py": "from app.shapes import total_area\n" + calls})
    indexed.index.refresh()
    result = await LSP().run(call("findReferences", "app/many.py:2:1"), indexed)
    lines = str(result.content).splitlines()
    assert lines[0].startswith("Found 154 references to `total_area` and 1 definition in 3 files")
    assert lines[1] == "app/many.py:1:24 import: from app.shapes import total_area"
    assert len(lines) == 1 + 100 + 1 and lines[-1] == "... and 55 more results not shown"


class ProtocolOnly:
    """An index with only what `ports.SymbolIndex` asks for (as the server's is)."""

    def __init__(self, index: WorkspaceIndex) -> None:
        self.search, self.definitions = index.search, index.definitions
        self.file_symbols = index.file_symbols


async def test_lsp_over_an_index_without_references(indexed: ToolContext) -> None:
    indexed.index = ProtocolOnly(indexed.index)
    found = await LSP().run(call("goToDefinition", "app/main.py:6:11"), indexed)
    assert found.content == "function total_area app/shapes.py:17:5: def total_area(shapes):"
    refused = await LSP().run(call("findReferences", "app/main.py:6:11"), indexed)
    assert refused.is_error and "records no references; use Grep" in str(refused.content)
    # Outgoing calls parse the function's file instead.
    calls = await LSP().run(call("outgoingCalls", "app/main.py:4:5"), indexed)
    assert str(calls.content).endswith("function total_area app/shapes.py:17:5 called at 6:11")


async def test_lsp_incoming_calls_stop_after_the_shown_callers(indexed: ToolContext) -> None:
    for part in ("a", "b"):
        callers = "".join(f"def f{n}():\n    total_area([])\n" for n in range(60))
        write_tree(indexed.cwd, {f"app/{part}.py": "from app.shapes import total_area\n" + callers})
    indexed.index.refresh()
    result = await LSP().run(call("incomingCalls", "app/shapes.py:17:5"), indexed)
    lines = str(result.content).splitlines()
    assert lines[0] == "Callers of function total_area (122 calls), by file:"
    assert lines[1] == "function f0 app/a.py:2:5 calls at 3:5"
    # a.py's 60 callers, then b.py's (the file holding the 101st is read whole), not main.py's.
    assert lines[-1] == (
        "... and 20 more callers not shown; 2 more calls in 1 more file not examined"
    )
    assert len(lines) == 1 + 100 + 1
