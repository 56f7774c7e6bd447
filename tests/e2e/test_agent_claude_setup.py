"""Users' `.claude/` set-up through the editor: project MCP servers approved with a prompt,
plan mode ended by approving the plan, slash commands listed for pickers."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.e2e.agent_harness import HELLO, StartAgent

DEMO_MCP_SERVER = Path(__file__).parent.parent / "compat" / "mcp_demo_server.py"


def tool(name: str, tool_input: dict[str, object]) -> dict[str, object]:
    return {"content": [{"type": "tool_use", "name": name, "input": tool_input}]}


def text(words: str) -> dict[str, object]:
    return {"content": [{"type": "text", "text": words}]}


async def test_project_mcp_server_runs_once_the_user_allows_it(
    start_agent: StartAgent, workspace: Path
) -> None:
    config = {"mcpServers": {"demo": {"command": sys.executable, "args": [str(DEMO_MCP_SERVER)]}}}
    (workspace / ".mcp.json").write_text(json.dumps(config))
    h = await start_agent(
        [tool("mcp__demo__add", {"a": 40, "b": 2}), text("42")],
        init_options={"permissionMode": "bypassPermissions", "workspaceTrusted": True},
    )
    h.editor.answer = lambda params: "Allow" if "MCP server 'demo'" in params.message else None
    (workspace / "hello.py").write_text(HELLO)
    uri = h.editor.open(workspace / "hello.py")
    started = await h.command("lspAgent.ask", {"uri": uri, "prompt": "add 40 and 2"})
    done = await h.editor.done(started["sessionId"])
    assert done["subtype"] == "success"
    [approval] = h.editor.prompts
    assert "demo" in approval.message and str(DEMO_MCP_SERVER) in approval.message
    assert [r["content"] for r in h.tool_results()] == ["42"]


async def test_plan_mode_refuses_writes_until_the_user_approves_the_plan(
    start_agent: StartAgent, workspace: Path
) -> None:
    write = tool("Write", {"file_path": "{cwd}/hello.py", "content": "print('planned')\n"})
    h = await start_agent(
        [
            tool("Read", {"file_path": "{cwd}/hello.py"}),
            write,
            tool("ExitPlanMode", {"plan": "1. Replace the greeting with 'planned'."}),
            write,
            text("Done as planned."),
        ],
        init_options={"permissionMode": "plan"},
    )
    h.editor.answer = lambda params: (
        "Approve and accept edits" if "Claude's plan" in params.message else None
    )
    (workspace / "hello.py").write_text(HELLO)
    uri = h.editor.open(workspace / "hello.py")
    started = await h.command("lspAgent.ask", {"uri": uri, "prompt": "plan the change"})
    done = await h.editor.done(started["sessionId"])
    assert done["subtype"] == "success"
    results = h.tool_results()
    assert results[1].get("is_error") and "plan mode" in results[1]["content"]
    [plan_prompt] = h.editor.prompts
    assert "Replace the greeting" in plan_prompt.message
    assert h.editor.text(uri) == "print('planned')\n"
    [sent] = h.editor.applied_edits
    assert not sent.edit.change_annotations  # approved into acceptEdits: no second confirmation


async def test_slash_commands_are_listed_for_pickers(
    start_agent: StartAgent, workspace: Path
) -> None:
    commands = workspace / ".claude" / "commands"
    commands.mkdir(parents=True)
    (commands / "review-pr.md").write_text(
        "---\ndescription: Review the open pull request\nargument-hint: [number]\n---\n"
        "Review pull request $1.\n"
    )
    h = await start_agent([])
    listing = await h.command("lspAgent.slashCommands", {})
    by_name = {row["name"]: row for row in listing}
    assert by_name["review-pr"]["description"].startswith("Review the open pull request")
    assert by_name["review-pr"]["argumentHint"] == "[number]"
    assert {"compact", "clear", "model", "help"} <= set(by_name)


async def test_the_agent_setting_runs_every_editor_session(
    start_agent: StartAgent, workspace: Path
) -> None:
    """The `agent` setting (a project subagent run as the main thread) in the editor: each
    session the server starts gets its prompt, tools and initialPrompt, as `ask` does."""
    agent = (
        "---\nname: solo\ndescription: Works alone\ntools: Read, Grep\n"
        "initialPrompt: Start with the file's outline.\n---\nYou work alone, quietly.\n"
    )
    (workspace / ".claude" / "agents").mkdir(parents=True)
    (workspace / ".claude" / "agents" / "solo.md").write_text(agent)
    (workspace / ".claude" / "settings.json").write_text(json.dumps({"agent": "solo"}))
    h = await start_agent([text("Looked.")], init_options={"workspaceTrusted": True})
    (workspace / "hello.py").write_text(HELLO)
    uri = h.editor.open(workspace / "hello.py")
    started = await h.command("lspAgent.ask", {"uri": uri, "prompt": "look at it"})
    done = await h.editor.done(started["sessionId"])
    assert done["subtype"] == "success"
    body = h.fake.requests[0].body
    assert "You work alone, quietly." in json.dumps(body["system"])
    assert {t["name"] for t in body["tools"]} - {"ToolSearch"} == {"Read", "Grep"}
    first = body["messages"][0]["content"][0]["text"]
    assert first.startswith("Start with the file's outline.\n\n")
