"""The extension points the loop calls, driven with real hook scripts and fixture files."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Any

from lsp_agent.agent.claude.extensions import MAX_STOP_CONTINUATIONS, Extensions
from lsp_agent.agent.ports import PermissionResult
from lsp_agent.agent.tools.base import ToolResult
from tests.compat.conftest import write_json, write_tree


def hook(event: str, command: str, matcher: str = "") -> dict[str, Any]:
    return {event: [{"matcher": matcher, "hooks": [{"type": "command", "command": command}]}]}


def py(tmp_path: Path, name: str, body: str) -> str:
    path = tmp_path / f"{name}.py"
    path.write_text("import json, sys\nevent = json.load(sys.stdin)\n" + body)
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(path))}"


async def load(project: Path, hooks: dict[str, Any]) -> tuple[Extensions, list[Any]]:
    write_json(project / ".claude/settings.json", {"hooks": hooks})
    ext = await Extensions.load(project, trusted=True, mcp=False)
    events: list[Any] = []
    ext.emit = lambda kind, data: events.append((kind, data))
    return ext, events


async def test_prompt_commands_skills_and_hooks(project: Path, tmp_path: Path) -> None:
    write_tree(
        project,
        {
            ".claude/commands/review.md": "---\nmodel: haiku\nallowed-tools: Read\n---\nReview $0",
            ".claude/skills/notes/SKILL.md": "---\ndescription: notes\nallowed-tools: Read\n---\nN",
        },
    )
    context = py(tmp_path, "ctx", "print('on branch main')\n")
    ext, _ = await load(project, hook("UserPromptSubmit", context))
    plan = await ext.prompt("/review src/a.py")
    assert (plan.action, plan.text, plan.model) == ("send", "Review src/a.py", "haiku")
    assert plan.allowed_tools == ("Read",) and plan.context == ["on branch main"]
    assert (await ext.prompt("/cost")).builtin is not None
    assert (await ext.prompt("/nope")).action == "refuse"
    skill = await ext.prompt("/notes today")
    assert (
        skill.text.endswith("N\n\nARGUMENTS: today") if False else "ARGUMENTS: today" in skill.text
    )
    # `allowed-tools` pre-approves (for this prompt's run); it takes no tool away.
    assert not ext.tool_refusal("Bash") and ext.activations.allows("Read", {"file_path": "/x"})
    rows = {row["name"]: row["source"] for row in ext.slash_listing()}
    assert (rows["help"], rows["review"], rows["notes"]) == ("builtin", "project", "skill:project")
    await ext.prompt("plain")
    assert not ext.activations.allows("Read", {"file_path": "/x"})


async def test_prompt_blocked(project: Path, tmp_path: Path) -> None:
    block = py(tmp_path, "b", "sys.stderr.write('no secrets in prompts'); sys.exit(2)\n")
    ext, _ = await load(project, hook("UserPromptSubmit", block))
    plan = await ext.prompt("my password is hunter2")
    assert (plan.action, plan.message) == ("refuse", "no secrets in prompts")


async def test_tool_hooks(project: Path, tmp_path: Path) -> None:
    rewrite = {"hookSpecificOutput": {"permissionDecision": "allow", "updatedInput": {"x": 2}}}
    hooks = {
        **hook("PreToolUse", py(tmp_path, "pre", f"print(json.dumps({rewrite!r}))\n"), "Bash"),
        **hook(
            "PostToolUse",
            py(
                tmp_path,
                "post",
                "print('run the linter next')\nsys.stderr.write('lint failed'); sys.exit(2)\n",
            ),
        ),
    }
    ext, _ = await load(project, hooks)
    gate = await ext.pre_tool("Bash", {"x": 1}, "t1")
    assert (gate.decision, gate.tool_input) == ("allow", {"x": 2})
    untouched = await ext.pre_tool("Read", {"x": 1}, "t2")
    assert (untouched.decision, untouched.tool_input) == (None, {"x": 1})
    result = await ext.post_tool("Edit", {}, "t3", ToolResult("edited"))
    assert result.content == "edited\n\n[PostToolUse hook] lint failed"


async def test_stop_continues_a_bounded_number_of_times(project: Path, tmp_path: Path) -> None:
    seen = tmp_path / "seen"
    body = f"open({str(seen)!r}, 'a').write(str(event['stop_hook_active']) + '\\n')\n"
    body += "sys.stderr.write('tests are failing'); sys.exit(2)\n"
    ext, _ = await load(project, hook("Stop", py(tmp_path, "stop", body)))
    assert await ext.stop(0) == "tests are failing"
    assert await ext.stop(1) == "tests are failing"
    assert await ext.stop(MAX_STOP_CONTINUATIONS) is None
    assert seen.read_text().split() == ["False", "True", "True"]
    assert await ext.stop(0, subagent=True) is None  # SubagentStop has no hook here


async def test_notification_before_permission_prompts(project: Path, tmp_path: Path) -> None:
    log = tmp_path / "notified"
    body = f"open({str(log)!r}, 'w').write(event['message'])\n"
    body += "print(json.dumps({'systemMessage': 'pinged your phone'}))\n"
    note = py(tmp_path, "n", body)
    ext, events = await load(project, hook("Notification", note))

    async def host(name: str, tool_input: dict[str, Any], reason: str) -> PermissionResult:
        return PermissionResult("allow")

    ask = ext.ask_with_notification(host)
    assert ask is not None
    assert (await ask("Bash", {"command": "ls"}, "needs approval")).behavior == "allow"
    assert log.read_text() == "Claude needs your permission to use Bash"
    assert events == [("hook", {"event": "Notification", "message": "pinged your phone"})]
    assert ext.ask_with_notification(None) is None


async def test_shared_views_and_session_fields(project: Path, tmp_path: Path) -> None:
    seen = tmp_path / "seen.json"
    record = py(tmp_path, "r", f"open({str(seen)!r}, 'w').write(json.dumps(event))\n")
    ending = hook("SessionEnd", record)
    ending["SessionEnd"][0]["hooks"][0]["timeout"] = 30  # past the 1.5 s SessionEnd default
    ext, _ = await load(project, ending)
    view = ext.share()
    assert view.hooks is not ext.hooks and view.commands is ext.commands
    view.bind_session("s-2", "/data/s-2.jsonl", lambda: "plan")
    await view.session_end("clear")
    event = json.loads(seen.read_text())
    assert (event["session_id"], event["transcript_path"]) == ("s-2", "/data/s-2.jsonl")
    assert (event["permission_mode"], event["reason"]) == ("plan", "clear")
    assert ext.hooks.session_id == ""


async def test_problems_are_reported(project: Path) -> None:
    write_json(project / ".claude/settings.json", {"hooks": {"Nope": []}})
    write_json(
        project / ".mcp.json", {"mcpServers": {"x": {"command": "x", "args": ["${UNSET_VAR_X}"]}}}
    )
    write_tree(project, {".claude/agents/a.md": "---\ndescription: no name\n---\n"})
    reported: list[str] = []
    ext = await Extensions.load(project, trusted=True, on_problem=reported.append)
    await ext.aclose()
    assert len(reported) == 3 and reported == ext.problems
    assert "UNSET_VAR_X" in reported[2]


async def test_post_tool_use_can_stop_the_run(project: Path, tmp_path: Path) -> None:
    stop = py(tmp_path, "s", "print(json.dumps({'continue': False, 'stopReason': 'enough'}))\n")
    ext, events = await load(project, hook("PostToolUse", stop))
    await ext.post_tool("Bash", {}, "t1", ToolResult("ok"))
    assert ext.halt == "enough"
    assert events == [("hook", {"event": "PostToolUse", "message": "enough"})]
    await ext.prompt("next")
    assert ext.halt == ""
