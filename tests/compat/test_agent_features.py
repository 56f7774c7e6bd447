"""Subagents, MCP tools, slash commands, skills, compaction and plan mode in real agent runs."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Any

from lsp_agent.agent.ports import PermissionResult
from lsp_agent.agent.transcript import sessions_dir
from tests.compat.agent_run import run_agent, text_response, tool_response
from tests.compat.conftest import write_json, write_tree

DEMO = str(Path(__file__).with_name("mcp_demo_server.py"))
RECORD_EVENT = (
    "import json, sys; e = json.load(sys.stdin); "
    "name = e['hook_event_name'] + (':' + e['tool_name'] if 'tool_name' in e else ''); "
    "open(sys.argv[1], 'a').write(name + '\\n')"
)


async def test_task_runs_a_subagent(project: Path, tmp_path: Path) -> None:
    log = tmp_path / "hooks.log"
    record = f"{shlex.quote(sys.executable)} -c {shlex.quote(RECORD_EVENT)} {shlex.quote(str(log))}"
    events = ("UserPromptSubmit", "SubagentStop", "Stop", "PreToolUse")
    hooks = {e: [{"hooks": [{"type": "command", "command": record}]}] for e in events}
    write_json(project / ".claude/settings.json", {"hooks": hooks})
    write_tree(
        project,
        {
            ".claude/agents/finder.md": (
                "---\nname: finder\ndescription: Finds things\ntools: Read, Glob\n---\n"
                "You find things and report paths.\n"
            ),
            "notes.txt": "the answer is 42\n",
        },
    )
    task = {
        "description": "find the answer",
        "prompt": "Find the answer",
        "subagent_type": "finder",
    }
    run = await run_agent(
        project,
        [
            tool_response("Task", task),  # the parent
            tool_response("Read", {"file_path": "{cwd}/notes.txt"}),  # the subagent
            text_response("notes.txt says the answer is 42"),  # the subagent's report
            text_response("The answer is 42."),  # the parent again
        ],
        "what is the answer?",
    )
    assert run.result.result == "The answer is 42."
    child = run.sent(1)
    assert child["system"][0]["text"].startswith("You find things and report paths.")
    assert sorted(t["name"] for t in child["tools"]) == ["Glob", "Read"]
    assert child["messages"][0]["content"][0]["text"] == "Find the answer"
    parent = run.sent(3)["messages"][-1]["content"][0]
    assert parent["content"] == "notes.txt says the answer is 42"
    # The tool is Agent now; the model's Task call (an older name) ran it all the same.
    assert "Agent" in {t["name"] for t in run.sent(0)["tools"]}
    assert "Task" not in {t["name"] for t in run.sent(0)["tools"]}
    # The subagent's tool call is hooked like any other; its prompt is not a user prompt.
    assert log.read_text().split() == [
        "UserPromptSubmit",
        "PreToolUse:Task",
        "PreToolUse:Read",
        "SubagentStop",
        "Stop",
    ]


async def test_mcp_tool_call(project: Path, home: Path) -> None:
    write_json(
        home / ".claude.json", {"mcpServers": {"demo": {"command": sys.executable, "args": [DEMO]}}}
    )
    run = await run_agent(
        project,
        [tool_response("mcp__demo__add", {"a": 40, "b": 2}), text_response("It is 42.")],
        "add 40 and 2",
        allowed_tools=["mcp__demo__add"],
    )
    assert run.tool_results()[0] == {
        "id": run.tool_results()[0]["id"],
        "content": "42",
        "is_error": False,
    }
    assert "mcp__demo__add" in {t["name"] for t in run.sent(0)["tools"]}


async def test_custom_command_and_skill(project: Path) -> None:
    write_tree(
        project,
        {
            ".claude/commands/greet.md": "---\ndescription: Greet\n---\nSay hello to $0.",
            ".claude/skills/poems/SKILL.md": "---\ndescription: Writes poems\n---\nRhyme.",
        },
    )
    run = await run_agent(
        project,
        [tool_response("Skill", {"skill": "poems"}), text_response("Hello, Ada, in rhyme.")],
        "/greet Ada",
    )
    assert run.sent(0)["messages"][0]["content"][0]["text"] == "Say hello to Ada."
    assert "- poems: Writes poems" in json.dumps(run.sent(0)["system"])
    assert run.tool_results()[0]["content"].endswith("Rhyme.")


async def test_builtin_commands_do_not_call_the_model(project: Path) -> None:
    run = await run_agent(project, [], "/help", "/cost")
    assert "/compact [instructions]" in run.results[0].result
    assert "$" in run.results[1].result
    assert run.requests == []


async def test_compaction_of_a_long_session_and_resume(project: Path) -> None:
    (project / "a.txt").write_text("alpha\n")
    responses = [
        tool_response("Read", {"file_path": "{cwd}/a.txt"}, input_tokens=170_000),
        text_response("Summary: the user asked to read a.txt; it says alpha."),
        text_response("a.txt says alpha."),
    ]
    # A 200k-token window (the 5 generation's is 1M: 170k would not compact).
    run = await run_agent(project, responses, "read a.txt", model="claude-sonnet-4-5")
    assert run.result.result == "a.txt says alpha."
    summary_request = run.sent(1)
    assert "<conversation>" in summary_request["messages"][0]["content"][0]["text"]
    after = run.sent(2)["messages"]
    assert len(after) == 1 and "it says alpha" in after[0]["content"][0]["text"]
    records = [json.loads(line) for line in (sessions_dir() / f"{run.session_id}.jsonl").open()]
    assert [r["trigger"] for r in records if r["type"] == "compact_boundary"] == ["auto"]

    resumed = await run_agent(
        project, [text_response("Still alpha.")], "again?", resume=run.session_id
    )
    messages = resumed.sent(0)["messages"]
    assert "it says alpha" in messages[0]["content"][0]["text"]
    assert messages[-1]["content"][-1]["text"] == "again?"
    assert len(messages) == 3  # summary, answer, new prompt: the tool calls before are gone
    assert "tool_use" not in json.dumps(messages)


async def test_compact_command(project: Path) -> None:
    run = await run_agent(
        project,
        [text_response("first answer"), text_response("Summary of it")],
        "hello",
        "/compact keep names",
    )
    assert run.results[1].subtype == "success"
    assert run.sent(1)["messages"][0]["content"][0]["text"].endswith(
        "Additional instructions from the user: keep names"
    )


async def test_plan_mode_refuses_writes_until_the_plan_is_approved(project: Path) -> None:
    asked: list[tuple[str, dict[str, Any]]] = []

    async def host(name: str, tool_input: dict[str, Any], reason: str) -> PermissionResult:
        asked.append((name, tool_input))
        return PermissionResult("allow", updated_input={"mode": "acceptEdits"})

    target = "{cwd}/plan.txt"
    run = await run_agent(
        project,
        [
            tool_response("Write", {"file_path": target, "content": "too early\n"}),
            tool_response("ExitPlanMode", {"plan": "1. write plan.txt"}),
            tool_response("Write", {"file_path": target, "content": "done\n"}),
            text_response("Wrote plan.txt."),
        ],
        "write plan.txt",
        can_use_tool=host,
        permission_mode="plan",
    )
    first, exit_plan, second = run.tool_results()
    assert first["is_error"] and "plan mode" in first["content"]
    assert not exit_plan["is_error"] and not second["is_error"]
    assert asked == [("ExitPlanMode", {"plan": "1. write plan.txt"})]
    assert (project / "plan.txt").read_text() == "done\n"


async def test_command_allowed_tools_apply_to_its_run_only(project: Path) -> None:
    write_tree(
        project,
        {".claude/commands/shout.md": "---\nallowed-tools: Bash(echo:*)\n---\nShout $ARGUMENTS"},
    )
    run = await run_agent(  # headless: nobody to ask, so only the command's rules say yes
        project,
        [
            tool_response("Bash", {"command": "echo hi"}),
            tool_response("Bash", {"command": "ls"}),
            text_response("shouted"),
            tool_response("Bash", {"command": "echo again"}),
            text_response("could not"),
        ],
        "/shout hi",
        "echo again please",
    )
    echo, ls, again = run.tool_results()
    assert not echo["is_error"] and "hi" in echo["content"]
    assert ls["is_error"] and "not granted" in ls["content"]
    assert again["is_error"] and "not granted" in again["content"]


async def test_a_skills_allowed_tools_pre_approve_for_that_run_only(project: Path) -> None:
    """Current Claude Code: `allowed-tools` grants those tools without a question during the
    turn that invoked the skill; it restricts nothing, and the next prompt clears it."""
    write_tree(
        project,
        {
            ".claude/skills/greet/SKILL.md": (
                "---\ndescription: Greets\nallowed-tools: Bash(echo *)\n---\nSay hi with echo."
            )
        },
    )
    run = await run_agent(
        project,
        [
            tool_response("Skill", {"skill": "greet"}),
            tool_response("Bash", {"command": "echo hi"}),
            tool_response("Glob", {"pattern": "*"}),  # not listed, still available
            text_response("greeted"),
            tool_response("Bash", {"command": "echo again"}),
            text_response("no"),
        ],
        "greet",
        "greet again",
    )
    skill, echo, glob, again = run.tool_results()
    assert not skill["is_error"]
    assert not echo["is_error"] and "hi" in echo["content"]  # headless: only the grant says yes
    assert not glob["is_error"]
    assert again["is_error"] and "not granted" in again["content"]
