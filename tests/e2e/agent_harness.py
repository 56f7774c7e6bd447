"""The agent end to end: a real server over stdio, a scripted model over real HTTP/SSE, and the
test client acting as the editor (tests/e2e/editor.py). Shared by the test_agent_* modules."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union

from lsprotocol import types
from pytest_lsp import LanguageClient

from lsp_agent.testing.fake_anthropic import FakeAnthropic
from tests.e2e.editor import Editor

HELLO = "def greet():\n    print('hello')\n"


@dataclass
class Harness:
    client: LanguageClient
    editor: Editor
    fake: FakeAnthropic
    workspace: Path

    async def command(self, name: str, argument: dict[str, Any]) -> Any:
        return await self.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command=name, arguments=[argument])
        )

    def tool_results(self) -> list[dict[str, Any]]:
        """Every tool_result block the model received, in order."""
        results = []
        for request in self.fake.requests:
            last = request.body["messages"][-1]
            if last["role"] == "user" and isinstance(last["content"], list):
                results += [b for b in last["content"] if b.get("type") == "tool_result"]
        return results


StartAgent = Callable[..., Awaitable[Harness]]


def read_step(name: str = "hello.py") -> dict[str, Any]:
    """A model turn that reads `name` in the workspace."""
    return {
        "content": [{"type": "tool_use", "name": "Read", "input": {"file_path": "{cwd}/" + name}}]
    }


def read_then_edit(old: str, new: str) -> list[dict[str, Any]]:
    return [
        read_step(),
        {
            "content": [
                {
                    "type": "tool_use",
                    "name": "Edit",
                    "input": {"file_path": "{cwd}/hello.py", "old_string": old, "new_string": new},
                }
            ]
        },
        {"content": [{"type": "text", "text": "Done: changed the greeting."}]},
    ]


def diagnostic(line: int, message: str) -> types.Diagnostic:
    return types.Diagnostic(
        range=types.Range(types.Position(line, 4), types.Position(line, 9)),
        message=message,
        source="testlint",
    )


def structure_code_action_items(client: LanguageClient) -> None:
    # lsprotocol's client decodes any item with a "command" key as a Command (pygls-gotchas.md).
    converter = client.protocol._converter

    def hook(obj: Any, _: Any) -> Any:
        is_action = "kind" in obj or isinstance(obj.get("command"), dict)
        return converter.structure(obj, types.CodeAction if is_action else types.Command)

    converter.register_structure_hook(Union[types.Command, types.CodeAction], hook)  # noqa: UP007


async def run_fix(h: Harness, uri: str) -> dict[str, Any]:
    result = await h.command(
        "lspAgent.fixDiagnostics",
        {"uri": uri, "diagnostics": [json.loads(json.dumps(plain_diagnostic()))]},
    )
    return await h.editor.done(result["sessionId"])


def plain_diagnostic() -> dict[str, Any]:
    return {
        "range": {"start": {"line": 1, "character": 4}, "end": {"line": 1, "character": 9}},
        "message": "greeting too short",
        "source": "testlint",
    }


async def review_proposal(h: Harness, uri: str) -> tuple[str, dict[str, Any]]:
    """Start a fix in client-review mode and wait for its proposal."""
    result = await h.command(
        "lspAgent.fixDiagnostics", {"uri": uri, "diagnostics": [plain_diagnostic()]}
    )
    proposal = await h.editor.wait_for(lambda e: e["kind"] == "proposal")
    assert proposal["status"] == "pending" and h.editor.applied_edits == []
    return result["sessionId"], proposal


TWO_HUNKS_OLD = "a = 1\nb = 2\nc = 3\nd = 4\ne = 5\n"
TWO_HUNKS_NEW = "a = 10\nb = 2\nc = 3\nd = 4\ne = 50\n"


def write_two_hunks() -> list[dict[str, Any]]:
    return [
        read_step(),
        {
            "content": [
                {
                    "type": "tool_use",
                    "name": "Write",
                    "input": {"file_path": "{cwd}/hello.py", "content": TWO_HUNKS_NEW},
                }
            ]
        },
        {"content": [{"type": "text", "text": "Updated a and e."}]},
    ]


def bash_scenario(command: str) -> list[dict[str, Any]]:
    return [
        {
            "content": [
                {
                    "type": "tool_use",
                    "name": "Bash",
                    "input": {"command": command, "description": "say hi"},
                }
            ]
        },
        {"content": [{"type": "text", "text": "finished"}]},
    ]


HELD = {
    "content": [{"type": "text", "text": "A long answer"}],
    "fail": {"after": 3, "mode": "hold"},
}


async def start_held_run(h: Harness, **extra: Any) -> str:
    """Start an ask whose model stream stops mid-way and waits; returns the session id."""
    (h.workspace / "hello.py").write_text(HELLO)
    uri = h.editor.open(h.workspace / "hello.py")
    result = await h.command("lspAgent.ask", {"uri": uri, "prompt": "talk", **extra})
    await asyncio.wait_for(h.fake.held.wait(), 30)
    return str(result["sessionId"])
