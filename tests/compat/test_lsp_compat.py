"""Claude Code compatibility through the LSP server: a real `lsp-agent serve` over stdio, the
scripted model over HTTP, a workspace with `.claude/` hooks and an `.mcp.json` server."""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from lsp_agent.testing.fake_anthropic import FakeAnthropic
from tests.compat.agent_run import text_response, tool_response
from tests.compat.conftest import write_json
from tests.e2e.conftest import StartServer, start_server, workspace  # noqa: F401 (fixtures)
from tests.e2e.editor import Editor

DEMO = str(Path(__file__).with_name("mcp_demo_server.py"))


@pytest.fixture
async def fakes() -> AsyncIterator[list[FakeAnthropic]]:
    started: list[FakeAnthropic] = []
    yield started
    for fake in started:
        await fake.__aexit__(None, None, None)


async def ask(
    start_server: StartServer,  # noqa: F811
    fakes: list[FakeAnthropic],
    root: Path,
    responses: list[dict[str, Any]],
    prompt: str,
    **init: Any,
) -> tuple[Editor, FakeAnthropic, dict[str, Any]]:
    fake = FakeAnthropic({"responses": responses}, variables={"cwd": str(root)})
    await fake.__aenter__()
    fakes.append(fake)
    env = {"ANTHROPIC_BASE_URL": fake.base_url, "ANTHROPIC_API_KEY": "sk-test"}
    client = await start_server(extra_env=env, init_options=init or None)
    editor = Editor(client)
    (root / "hello.py").write_text("print('hello')\n")
    uri = editor.open(root / "hello.py")
    started = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command="lspAgent.ask", arguments=[{"prompt": prompt, "uri": uri}]
        )
    )
    done = await editor.done(started["sessionId"])
    assert fake.violations == []
    return editor, fake, done


def tool_results(editor: Editor) -> list[dict[str, Any]]:
    return [e for e in editor.stream if e["kind"] == "tool_result"]


async def test_pre_tool_use_hook_blocks_in_the_editor(
    start_server: StartServer,  # noqa: F811
    fakes: list[FakeAnthropic],
    workspace: Path,  # noqa: F811
) -> None:
    guard = workspace / "guard.sh"
    guard.write_text("#!/bin/bash\necho 'no deleting from the editor' >&2\nexit 2\n")
    guard.chmod(0o755)
    hooks = {
        "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": str(guard)}]}]
    }
    write_json(workspace / ".claude/settings.json", {"hooks": hooks})
    (workspace / "build").mkdir()
    editor, _, done = await ask(
        start_server,
        fakes,
        workspace,
        [tool_response("Bash", {"command": "rm -rf build"}), text_response("Left it.")],
        "clean the build",
        workspaceTrusted=True,  # the project's own hooks run only in a trusted folder
    )
    assert done["subtype"] == "success"
    [result] = tool_results(editor)
    assert result["isError"] and "no deleting from the editor" in result["content"]
    assert editor.prompts == []  # refused before the user was asked
    assert (workspace / "build").is_dir()


async def test_mcp_tool_call_in_the_editor(
    start_server: StartServer,  # noqa: F811
    fakes: list[FakeAnthropic],
    workspace: Path,  # noqa: F811
) -> None:
    write_json(
        workspace / ".mcp.json",
        {"mcpServers": {"demo": {"command": sys.executable, "args": [DEMO]}}},
    )
    write_json(workspace / ".claude/settings.json", {"enableAllProjectMcpServers": True})
    editor, fake, done = await ask(
        start_server,
        fakes,
        workspace,
        [tool_response("mcp__demo__add", {"a": 40, "b": 2}), text_response("42")],
        "add 40 and 2",
        permissionMode="bypassPermissions",
        workspaceTrusted=True,
    )
    assert done["subtype"] == "success"
    assert [r["content"] for r in tool_results(editor)] == ["42"]
    assert "mcp__demo__add" in json.dumps(fake.requests[0].body["tools"])


async def test_a_subagents_frontmatter_mode_and_hooks_in_the_editor(
    start_server: StartServer,  # noqa: F811
    fakes: list[FakeAnthropic],
    workspace: Path,  # noqa: F811
) -> None:
    log = workspace.parent / "reads.log"
    agent = (
        "---\nname: auditor\ndescription: Audits\npermissionMode: plan\nhooks:\n"
        "  PreToolUse:\n    - matcher: Read\n      hooks:\n        - type: command\n"
        f"          command: echo read >> {log}\n---\nYou audit.\n"
    )
    (workspace / ".claude/agents").mkdir(parents=True)
    (workspace / ".claude/agents/auditor.md").write_text(agent)
    (workspace / "build").mkdir()
    task = {"description": "audit", "prompt": "Audit", "subagent_type": "auditor"}
    editor, _, done = await ask(
        start_server,
        fakes,
        workspace,
        [
            tool_response("Task", task),
            tool_response("Read", {"file_path": "{cwd}/hello.py"}),  # the subagent
            tool_response("Bash", {"command": "rm -rf build"}),
            text_response("audited"),
            tool_response("Read", {"file_path": "{cwd}/hello.py"}),  # the parent
            text_response("done"),
        ],
        "audit",
        workspaceTrusted=True,
    )
    assert done["subtype"] == "success"
    read, bash, _task, parent_read = tool_results(editor)
    assert not read["isError"] and not parent_read["isError"]
    assert bash["isError"] and "plan mode" in bash["content"]
    assert editor.prompts == []  # plan mode refused it; nobody was asked
    assert (workspace / "build").is_dir()
    assert log.read_text().split() == ["read"]  # the subagent's Read only
