"""Frontmatter that scopes behaviour, as current Claude Code applies it, through `lsp-agent ask`
and the scripted fake API: a subagent's `permissionMode`, `hooks` (Stop becomes SubagentStop) and
`mcpServers`; a skill's `paths`, `hooks` (with `once`), `allowed-tools` and `context: fork` via
the Skill tool; a command's `hooks`; `if` on a non-tool event; untrusted folders; bad input."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Any

from lsp_agent.agent.claude.trust import supplied
from lsp_agent.testing.fake_anthropic import FakeAnthropic
from tests.agent.test_cli_ask import Done, ask, cli_env
from tests.compat.conftest import write_json, write_tree

DEMO = str(Path(__file__).with_name("mcp_demo_server.py"))
PY = shlex.quote(sys.executable)


def tool(name: str, tool_input: dict[str, Any]) -> dict[str, Any]:
    return {"content": [{"type": "tool_use", "name": name, "input": tool_input}]}


def text(answer: str) -> dict[str, Any]:
    return {"content": [{"type": "text", "text": answer}]}


def append(log: Path, line: str) -> str:
    """A hook command that appends `line` to `log`."""
    return f"echo {line} >> {shlex.quote(str(log))}"


def tool_results(fake: FakeAnthropic) -> list[dict[str, Any]]:
    """Every tool result the model was sent, in order (each once: as the newest message)."""
    found = []
    for request in fake.requests:
        body = request.body
        assert isinstance(body, dict)
        last = body["messages"][-1]
        if last["role"] == "user" and isinstance(last["content"], list):
            found += [b for b in last["content"] if b.get("type") == "tool_result"]
    return found


def content(result: dict[str, Any]) -> str:
    return json.dumps(result["content"])


def tool_names(fake: FakeAnthropic, index: int) -> set[str]:
    body = fake.requests[index].body
    assert isinstance(body, dict)
    return {t["name"] for t in body.get("tools", [])}


def messages(done: Done) -> str:
    """The hook/extension messages the run showed the user (stream-json events)."""
    events = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return "\n".join(json.dumps(e) for e in events if e.get("type") in ("hook", "system"))


async def run(
    workspace: Path, tmp_path: Path, responses: list[dict[str, Any]], *args: str
) -> tuple[Done, FakeAnthropic]:
    async with FakeAnthropic({"responses": responses}, variables={"cwd": str(workspace)}) as fake:
        env = cli_env(tmp_path, fake)
        done = await ask(env, "--cwd", str(workspace), "--output-format", "stream-json", *args)
    return done, fake


WRITER = f"""---
name: writer
description: Writes files
permissionMode: acceptEdits
hooks:
  PreToolUse:
    - matcher: Bash
      hooks:
        - type: command
          command: "echo 'no shell in the writer' >&2; exit 2"
  Stop:
    - hooks:
        - type: command
          command: "{{stop}}"
mcpServers:
  - demo:
      command: {sys.executable}
      args: ["{DEMO}"]
---
You write files.
"""

WRITER_TURNS = [
    tool("Task", {"description": "write", "prompt": "Write out.txt", "subagent_type": "writer"}),
    tool("Write", {"file_path": "{cwd}/out.txt", "content": "hello\n"}),  # the subagent
    tool("Bash", {"command": "echo hi"}),
    tool("mcp__demo__shout", {"text": "hi"}),
    text("wrote it"),
    tool("Bash", {"command": "echo hi"}),  # the parent again
    text("done"),
]


async def test_a_subagents_mode_hooks_and_servers_apply_to_its_run_only(tmp_path: Path) -> None:
    workspace, log = tmp_path / "workspace", tmp_path / "stop.log"
    write_tree(workspace, {".claude/agents/writer.md": WRITER.replace("{stop}", append(log, "x"))})
    write_json(workspace / ".claude/settings.json", {"permissions": {"allow": ["mcp__demo"]}})
    done, fake = await run(workspace, tmp_path, WRITER_TURNS, "write out.txt")
    assert done.code == 0, done.stderr
    write, bash, shout, task, parent_bash = tool_results(fake)
    # acceptEdits: the subagent's Write needed nobody's yes (headless default mode would deny).
    assert not write.get("is_error") and (workspace / "out.txt").read_text() == "hello\n"
    assert bash["is_error"] and "no shell in the writer" in content(bash)
    assert not shout.get("is_error") and "HI" in content(shout)
    assert "wrote it" in content(task)
    # Its hook and its server ended with it: the parent's Bash meets only the headless default.
    assert "no shell in the writer" not in content(parent_bash)
    assert "not granted" in content(parent_bash)
    assert "mcp__demo__shout" in tool_names(fake, 1)
    assert "mcp__demo__shout" not in tool_names(fake, 0) | tool_names(fake, 5)
    assert log.read_text().split() == ["x"]  # its Stop hook ran as SubagentStop, once


async def test_an_untrusted_folders_subagent_cannot_widen_or_run_code(tmp_path: Path) -> None:
    workspace, log = tmp_path / "workspace", tmp_path / "stop.log"
    write_tree(workspace, {".claude/agents/writer.md": WRITER.replace("{stop}", append(log, "x"))})
    turns = [*WRITER_TURNS[:4], text("could not"), text("done")]
    done, fake = await run(workspace, tmp_path, turns, "--no-project-settings", "write out.txt")
    assert done.code == 0, done.stderr
    write, bash, shout, _ = tool_results(fake)
    assert write["is_error"] and not (workspace / "out.txt").exists()
    assert bash["is_error"] and "no shell in the writer" not in content(bash)
    assert shout["is_error"]
    assert "mcp__demo__shout" not in tool_names(fake, 1)
    assert not log.exists()
    shown = messages(done)
    assert "cannot widen default to acceptEdits" in shown
    assert "frontmatter hooks do not run until the folder is trusted" in shown
    assert "inline MCP servers do not start until the folder is trusted" in shown


async def test_a_subagent_may_narrow_its_mode_and_name_a_configured_server(
    tmp_path: Path,
) -> None:
    workspace = tmp_path / "workspace"
    write_json(
        workspace / ".mcp.json",
        {"mcpServers": {"demo": {"command": sys.executable, "args": [DEMO]}}},
    )
    write_json(workspace / ".claude/settings.json", {"enableAllProjectMcpServers": True})
    write_tree(
        workspace,
        {
            ".claude/agents/planner.md": (
                "---\nname: planner\ndescription: Plans\ntools: Read, Bash\npermissionMode: plan\n"
                "mcpServers:\n  - demo\n  - missing\n---\nYou plan.\n"
            )
        },
    )
    turns = [
        tool("Task", {"description": "plan", "prompt": "Plan", "subagent_type": "planner"}),
        tool("Bash", {"command": "echo hi"}),
        tool("mcp__demo__add", {"a": 2, "b": 3}),
        text("planned"),
        text("done"),
    ]
    done, fake = await run(workspace, tmp_path, turns, "--no-project-settings", "plan")
    assert done.code == 0, done.stderr
    # Untrusted, the project's .mcp.json server is not there; narrowing to plan still applies.
    bash, add, _ = tool_results(fake)
    assert bash["is_error"] and "plan mode" in content(bash)
    assert add["is_error"]
    assert "MCP server 'demo' is not configured" in messages(done)
    done, fake = await run(workspace, tmp_path, turns, "plan")
    bash, add, _ = tool_results(fake)
    assert bash["is_error"] and "plan mode" in content(bash)
    assert add["is_error"] and "plan mode" in content(add)  # there, and plan mode holds it
    assert tool_names(fake, 1) == {
        "Read",
        "Bash",
        "mcp__demo__add",
        "mcp__demo__shout",
        *_demo_rest(),
    }
    assert "MCP server 'missing' is not configured" in messages(done)


def _demo_rest() -> set[str]:
    return {"mcp__demo__big", "mcp__demo__fail", "mcp__demo__crash", "mcp__demo__echo"}


async def test_bad_subagent_frontmatter_is_reported_and_the_session_goes_on(
    tmp_path: Path,
) -> None:
    workspace = tmp_path / "workspace"
    write_tree(
        workspace,
        {
            ".claude/agents/odd.md": (
                "---\nname: odd\ndescription: Odd\npermissionMode: yolo\n---\nOdd.\n"
            ),
            ".claude/agents/broken.md": (
                "---\nname: broken\ndescription: Broken\npermissionMode: plan\nhooks:\n"
                "  PreToolUse: [oops\n---\nB.\n"
            ),
            ".claude/agents/shapes.md": (
                "---\nname: shapes\ndescription: Shapes\nhooks:\n  PreToolUse: nope\n"
                "  NoSuchEvent: []\n---\nS.\n"
            ),
        },
    )
    turns = [
        tool("Task", {"description": "x", "prompt": "Go", "subagent_type": "odd"}),
        text("odd done"),
        tool("Task", {"description": "y", "prompt": "Go", "subagent_type": "broken"}),
        tool("Bash", {"command": "echo hi"}),
        text("broken done"),
        text("done"),
    ]
    done, fake = await run(workspace, tmp_path, turns, "go")
    assert done.code == 0, done.stderr
    odd = workspace / ".claude/agents/odd.md"
    assert f"{odd}: unknown permissionMode 'yolo'" in done.stderr
    assert f"{workspace / '.claude/agents/broken.md'}: the frontmatter is not valid YAML" in (
        done.stderr
    )
    shapes = workspace / ".claude/agents/shapes.md"
    assert f"{shapes}: frontmatter hooks.PreToolUse must be a list" in done.stderr
    assert f"{shapes}: frontmatter hook event 'NoSuchEvent' is not supported" in done.stderr
    odd_task, bash, broken_task = tool_results(fake)
    assert "odd done" in content(odd_task) and "broken done" in content(broken_task)
    assert "plan mode" in content(bash)  # bad hooks YAML: its mode still holds


async def test_a_plugins_subagent_ignores_mode_hooks_and_servers(tmp_path: Path) -> None:
    workspace, plugin, log = tmp_path / "workspace", tmp_path / "plugin", tmp_path / "stop.log"
    workspace.mkdir()
    write_json(plugin / ".claude-plugin/plugin.json", {"name": "kit"})
    write_tree(plugin, {"agents/writer.md": WRITER.replace("{stop}", append(log, "x"))})
    turns = [
        tool("Task", {"description": "w", "prompt": "Write", "subagent_type": "kit:writer"}),
        tool("Write", {"file_path": "{cwd}/out.txt", "content": "hello\n"}),
        text("no"),
        text("done"),
    ]
    done, fake = await run(workspace, tmp_path, turns, "--plugin-dir", str(plugin), "go")
    assert done.code == 0, done.stderr
    assert "permissionMode, hooks, mcpServers ignored: a plugin's subagents" in done.stderr
    write, _ = tool_results(fake)
    assert write["is_error"] and not (workspace / "out.txt").exists()
    assert "mcp__demo__shout" not in tool_names(fake, 1)
    assert not log.exists()


def test_the_trust_question_lists_frontmatter_hooks_servers_and_modes(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    hook = (
        "hooks:\n  PreToolUse:\n    - hooks:\n        - type: command\n          command: ./{}.sh\n"
    )
    write_tree(
        workspace,
        {
            ".claude/agents/writer.md": WRITER.replace("{stop}", "./stop.sh"),
            ".claude/skills/fmt/SKILL.md": (
                "---\ndescription: Formats\nallowed-tools: Bash(make fmt)\n"
                + hook.format("skill")
                + "---\nFormat.\n"
            ),
            ".claude/commands/ship.md": "---\n" + hook.format("command") + "---\nShip.\n",
        },
    )
    found = supplied(workspace)
    assert set(found.hooks) == {
        "PreToolUse: echo 'no shell in the writer' >&2; exit 2 (agent .claude/agents/writer.md)",
        "SubagentStop: ./stop.sh (agent .claude/agents/writer.md)",
        "PreToolUse: ./skill.sh (skill .claude/skills/fmt/SKILL.md)",
        "PreToolUse: ./command.sh (command .claude/commands/ship.md)",
    }
    assert found.servers == ["demo (agent writer)"]
    assert found.rules == ["agent writer: permissionMode acceptEdits"]
    assert found.commands == ["/fmt: Bash(make fmt)"]
    before = found.fingerprint()
    skill = workspace / ".claude/skills/fmt/SKILL.md"
    skill.write_text(skill.read_text().replace("./skill.sh", "./other.sh"))
    assert supplied(workspace).fingerprint() != before  # a changed hook is asked about again


def write_runner(workspace: Path, denied: Path) -> None:
    """A subagent whose PermissionRequest hook says yes to Bash; its PermissionDenied logs."""
    allow = {
        "hookSpecificOutput": {
            "hookEventName": "PermissionRequest",
            "decision": {"behavior": "allow"},
        }
    }
    write_tree(
        workspace,
        {
            "allow.sh": f"#!/bin/sh\necho '{json.dumps(allow)}'\n",
            ".claude/agents/runner.md": (
                "---\nname: runner\ndescription: Runs things\nhooks:\n"
                "  PermissionRequest:\n    - matcher: Bash\n      hooks:\n"
                "        - type: command\n          command: sh ./allow.sh\n"
                "  PermissionDenied:\n    - hooks:\n        - type: command\n"
                f"          command: {append(denied, 'denied')}\n---\nYou run things.\n"
            ),
        },
    )


async def test_a_subagents_permission_hooks_answer_its_questions_only(tmp_path: Path) -> None:
    workspace, denied = tmp_path / "workspace", tmp_path / "denied.log"
    write_runner(workspace, denied)
    turns = [
        tool("Task", {"description": "run", "prompt": "Run", "subagent_type": "runner"}),
        tool("Bash", {"command": "echo from-the-subagent"}),  # its hook says yes
        tool("Write", {"file_path": "{cwd}/out.txt", "content": "x"}),  # nobody does
        text("ran"),
        tool("Bash", {"command": "echo from-the-parent"}),  # the parent's: headless no
        text("done"),
    ]
    done, fake = await run(workspace, tmp_path, turns, "run it")
    assert done.code == 0, done.stderr
    bash, write, _, parent_bash = tool_results(fake)
    assert not bash.get("is_error") and "from-the-subagent" in content(bash)
    assert write["is_error"] and not (workspace / "out.txt").exists()
    assert parent_bash["is_error"] and "not granted" in content(parent_bash)
    assert denied.read_text().split() == ["denied"]  # the subagent's Write only


async def test_disable_all_hooks_turns_frontmatter_hooks_off_too(tmp_path: Path) -> None:
    workspace, log = tmp_path / "workspace", tmp_path / "stop.log"
    write_tree(workspace, {".claude/agents/writer.md": WRITER.replace("{stop}", append(log, "x"))})
    write_json(workspace / ".claude/settings.json", {"disableAllHooks": True})
    done, fake = await run(workspace, tmp_path, WRITER_TURNS, "write out.txt")
    assert done.code == 0, done.stderr
    write, bash, *_ = tool_results(fake)
    assert not write.get("is_error")  # its mode still applies
    assert bash["is_error"] and "no shell in the writer" not in content(bash)
    assert not log.exists()
    denied = tmp_path / "denied.log"
    write_runner(workspace, denied)
    turns = [
        tool("Task", {"description": "run", "prompt": "Run", "subagent_type": "runner"}),
        tool("Bash", {"command": "echo hi"}),
        text("ran"),
        text("done"),
    ]
    done, fake = await run(workspace, tmp_path, turns, "run it")
    bash, _ = tool_results(fake)
    assert bash["is_error"] and not denied.exists()  # its permission hooks are off as well
