"""Claude Code's LSP tool through `lsp-agent ask`: the scripted model navigates a real workspace
indexed on demand, and a `Read(...)` deny rule refuses it a path."""

from __future__ import annotations

import json
from pathlib import Path

from lsp_agent.testing.fake_anthropic import FakeAnthropic
from tests.agent.test_cli_ask import ask, cli_env

SHAPES = """class Square:
    def __init__(self, side):
        self.side = side


def total_area(shapes):
    return sum(s.side * s.side for s in shapes)
"""
MAIN = """from app.shapes import Square, total_area


def main():
    print(total_area([Square(2)]))


def report():
    return total_area([])
"""


def lsp(operation: str, path: str, line: int, character: int) -> dict[str, object]:
    where = {"filePath": path, "line": line, "character": character}
    return {"type": "tool_use", "name": "LSP", "input": {"operation": operation, **where}}


async def test_lsp_tool_navigates_and_honours_read_deny_rules(
    workspace: Path, tmp_path: Path
) -> None:
    (workspace / "app").mkdir()
    (workspace / "app" / "shapes.py").write_text(SHAPES)
    (workspace / "app" / "main.py").write_text(MAIN)
    (workspace / "secret").mkdir()
    (workspace / "secret" / "keys.py").write_text("def signing_key():\n    return 'k'\n")
    (workspace / ".claude").mkdir()
    settings = {"permissions": {"deny": ["Read(secret/**)"]}}
    (workspace / ".claude" / "settings.json").write_text(json.dumps(settings))
    scenario = {
        "responses": [
            {
                "content": [
                    lsp("goToDefinition", "app/main.py", 5, 11),
                    lsp("findReferences", "{cwd}/app/main.py", 5, 11),
                    lsp("hover", "secret/keys.py", 1, 5),
                ]
            },
            {"content": [{"type": "text", "text": "total_area is in app/shapes.py"}]},
        ]
    }
    async with FakeAnthropic(scenario, variables={"cwd": str(workspace)}) as server:
        done = await ask(cli_env(tmp_path, server), "--cwd", str(workspace), "where?")
    assert done.code == 0, done.stderr
    assert server.violations == []
    offered = next(t for t in server.requests[0].body["tools"] if t["name"] == "LSP")
    assert offered["input_schema"]["required"] == ["operation", "filePath", "line", "character"]
    definition, references, denied = server.requests[1].body["messages"][-1]["content"]
    assert not definition.get("is_error") and not references.get("is_error")
    assert json.dumps(definition["content"]).startswith(
        '"function total_area app/shapes.py:6:5: def total_area(shapes):'
    )
    found = json.dumps(references["content"])
    for where in ("app/main.py:1:32 import", "app/main.py:5:11 call", "app/main.py:9:12 call"):
        assert where in found
    assert "app/shapes.py:6:5 definition" in found
    assert denied["is_error"] is True
    assert "signing_key" not in json.dumps(denied["content"])
    assert "denied by the rule Read(secret/**)" in denied["content"], denied
