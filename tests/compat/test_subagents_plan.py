"""Subagent definitions, the Task tool's contract with its runner, and ExitPlanMode's approval."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from lsp_agent.agent.claude.subagents import (
    GENERAL_PURPOSE,
    AgentDefinition,
    SubagentRequest,
    SubagentResult,
    load_agents,
)
from lsp_agent.agent.permissions.rules import PermissionPolicy, Rule
from lsp_agent.agent.ports import PermissionResult
from lsp_agent.agent.tools.base import ToolContext
from lsp_agent.agent.tools.exit_plan_mode import ExitPlanModeTool
from lsp_agent.agent.tools.task import TaskTool
from tests.compat.conftest import write_tree

AGENTS = {
    ".claude/agents/reviewer.md": (
        "---\nname: code-reviewer\ndescription: Reviews diffs for bugs\ntools: Read, Grep, Glob\n"
        "model: haiku\n---\nYou are a strict reviewer.\n"
    ),
    ".claude/agents/nameless.md": "---\ndescription: missing its name\n---\nx\n",
}


def test_definitions(project: Path, home: Path) -> None:
    write_tree(project, AGENTS)
    write_tree(
        home,
        {".claude/agents/r.md": "---\nname: code-reviewer\ndescription: user's\n---\nother\n"},
    )
    agents = load_agents(project)
    # Claude Code's built-ins: general-purpose, and the read-only Explore and Plan.
    assert sorted(agents.agents) == ["Explore", "Plan", "code-reviewer", "general-purpose"]
    assert len(agents.problems) == 1
    reviewer = agents.agents["code-reviewer"]
    assert reviewer.source == "project" and reviewer.prompt == "You are a strict reviewer."
    assert reviewer.resolve_model("claude-sonnet-4-5") == "claude-haiku-4-5"
    parent_tools = ["Read", "Write", "Grep", "Task", "Bash"]
    assert reviewer.tool_names(parent_tools) == ["Read", "Grep"]
    assert GENERAL_PURPOSE.tool_names(parent_tools) == ["Read", "Write", "Grep", "Bash"]
    assert GENERAL_PURPOSE.resolve_model("m") == "m"


async def test_task_tool_runs_subagents_in_parallel(project: Path, ctx: ToolContext) -> None:
    started: list[SubagentRequest] = []
    both = asyncio.Event()

    async def runner(request: SubagentRequest) -> SubagentResult:
        # Each run waits until both have started: a serial runner would never finish.
        started.append(request)
        if len(started) == 2:
            both.set()
        await both.wait()
        return SubagentResult(f"{request.definition.name} says: {request.prompt}")

    tool = TaskTool(load_agents(project), runner)
    assert tool.read_only and "- general-purpose:" in tool.description
    first, second = await asyncio.gather(
        tool.run({"description": "a", "prompt": "find foo"}, ctx),
        tool.run({"description": "b", "prompt": "find bar"}, ctx),
    )
    assert first.content == "general-purpose says: find foo"
    assert second.content == "general-purpose says: find bar"
    assert started[0].tool_use_id == "t1"
    unknown = await tool.run({"description": "c", "prompt": "x", "subagent_type": "nope"}, ctx)
    assert unknown.is_error and "general-purpose" in str(unknown.content)


async def test_agent_alias(project: Path, ctx: ToolContext) -> None:
    async def runner(request: SubagentRequest) -> SubagentResult:
        return SubagentResult("", is_error=True)

    extra = AgentDefinition("scout", "looks around", "You scout.", source="options")
    tool = TaskTool(load_agents(project, extra=[extra]), runner, name="Agent")
    result = await tool.run({"description": "d", "prompt": "p", "subagent_type": "scout"}, ctx)
    assert tool.name == "Agent"
    assert result.is_error and result.content == "(the agent returned no text)"


class Host:
    """The editor's side of the approval: answers from a script, records the questions."""

    def __init__(self, *answers: PermissionResult) -> None:
        self.answers = list(answers)
        self.asked: list[tuple[str, dict[str, Any]]] = []

    async def __call__(
        self, name: str, tool_input: dict[str, Any], reason: str
    ) -> PermissionResult:
        self.asked.append((name, tool_input))
        return self.answers.pop(0)


async def test_exit_plan_mode(ctx: ToolContext) -> None:
    mode = ["plan"]
    host = Host(
        PermissionResult("deny", message="also update the docs"),
        PermissionResult("allow", updated_input={"mode": "acceptEdits"}),
    )
    tool = ExitPlanModeTool(host, lambda: mode[0], lambda m: mode.__setitem__(0, m))
    rejected = await tool.run({"plan": "1. edit foo"}, ctx)
    assert rejected.is_error and "also update the docs" in str(rejected.content)
    assert mode == ["plan"]
    approved = await tool.run({"plan": "1. edit foo\n2. docs"}, ctx)
    assert not approved.is_error and mode == ["acceptEdits"]
    assert host.asked[1] == ("ExitPlanMode", {"plan": "1. edit foo\n2. docs"})


async def test_exit_plan_mode_headless_and_defaults(ctx: ToolContext) -> None:
    mode = ["plan"]
    headless = ExitPlanModeTool(None, lambda: mode[0], lambda m: mode.__setitem__(0, m))
    assert (await headless.run({"plan": "p"}, ctx)).is_error and mode == ["plan"]
    host = Host(PermissionResult("allow", updated_input={"mode": "plan"}))
    tool = ExitPlanModeTool(host, lambda: mode[0], lambda m: mode.__setitem__(0, m))
    await tool.run({"plan": "p"}, ctx)
    assert mode == ["default"]


def test_read_only_built_ins_and_agents_in_subfolders(project: Path, tmp_path: Path) -> None:
    agent_md = "---\nname: {0}\ndescription: d\n---\nYou are {0}.\n"
    write_tree(project / ".claude/agents", {"team/deep/helper.md": agent_md.format("helper")})
    agents = load_agents(project, user_dir=tmp_path / "no-user")
    assert {"helper", "general-purpose", "Explore", "Plan"} <= set(agents.agents)
    parent = ["Read", "Write", "Edit", "MultiEdit", "Bash", "Glob", "Grep", "Agent", "LS"]
    for read_only in ("Explore", "Plan"):  # they look; they never change anything
        assert agents.agents[read_only].tool_names(parent) == ["Read", "Glob", "Grep", "LS"]
    explore = agents.agents["Explore"]
    assert explore.resolve_model("claude-sonnet-4-5", "haiku") == "claude-haiku-4-5"


def test_rules_for_task_cover_agent(project: Path) -> None:
    policy = PermissionPolicy(
        "bypassPermissions", [Rule.parse("Task", "deny")], cwd=project, roots=[project]
    )
    assert policy("Agent", {"prompt": "x"})[0] == "deny"
    policy = PermissionPolicy(
        "bypassPermissions", [Rule.parse("Agent", "deny")], cwd=project, roots=[project]
    )
    assert policy("Task", {"prompt": "x"})[0] == "deny"
