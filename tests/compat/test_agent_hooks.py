"""Hooks inside real agent runs: real bash and Python hook scripts, the fake model, real tools."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Any

from lsp_agent.agent.ports import PermissionResult
from tests.compat.agent_run import run_agent, text_response, tool_response
from tests.compat.conftest import write_json


def settings(project: Path, hooks: dict[str, Any]) -> None:
    write_json(project / ".claude/settings.json", {"hooks": hooks})


def group(command: str, matcher: str = "", timeout: float = 30) -> list[dict[str, Any]]:
    return [
        {"matcher": matcher, "hooks": [{"type": "command", "command": command, "timeout": timeout}]}
    ]


def bash_script(path: Path, body: str) -> str:
    path.write_text("#!/bin/bash\n" + body)
    path.chmod(0o755)
    return shlex.quote(str(path))


def python_script(path: Path, body: str) -> str:
    path.write_text("import json, sys\nevent = json.load(sys.stdin)\n" + body)
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(path))}"


class Host:
    def __init__(self) -> None:
        self.asked: list[str] = []

    async def __call__(
        self, name: str, tool_input: dict[str, Any], reason: str
    ) -> PermissionResult:
        self.asked.append(name)
        return PermissionResult("allow")


async def test_pre_tool_use_exit_2_blocks_the_call(project: Path, tmp_path: Path) -> None:
    guard = bash_script(
        tmp_path / "guard.sh",
        'input=$(cat)\nif [[ "$input" == *"rm -rf"* ]]; then\n'
        '  echo "rm -rf is not allowed here" >&2\n  exit 2\nfi\n',
    )
    settings(project, {"PreToolUse": group(guard, "Bash")})
    (project / "build").mkdir()
    host = Host()
    run = await run_agent(
        project,
        [tool_response("Bash", {"command": "rm -rf build"}), text_response("I left it alone.")],
        "clean up",
        can_use_tool=host,
    )
    blocked = run.tool_results()[0]
    assert blocked["is_error"] and "rm -rf is not allowed here" in blocked["content"]
    assert host.asked == []  # denied before anyone was asked
    assert (project / "build").is_dir()
    sent = run.sent(1)["messages"][-1]["content"][0]
    assert sent["type"] == "tool_result" and "rm -rf is not allowed here" in sent["content"]


async def test_pre_tool_use_rewrites_input_and_allows(project: Path, tmp_path: Path) -> None:
    rewrite = python_script(
        tmp_path / "rewrite.py",
        "command = event['tool_input']['command'].replace('hello', 'rewritten')\n"
        "out = {'permissionDecision': 'allow', 'updatedInput': {'command': command}}\n"
        "print(json.dumps({'hookSpecificOutput': out}))\n",
    )
    settings(project, {"PreToolUse": group(rewrite, "Bash")})
    run = await run_agent(  # headless default mode: only the hook's allow lets Bash run
        project,
        [tool_response("Bash", {"command": "echo hello"}), text_response("ok")],
        "say hello",
    )
    result = run.tool_results()[0]
    assert not result["is_error"] and "rewritten" in result["content"]


async def test_prompt_and_post_tool_context(project: Path, tmp_path: Path) -> None:
    (project / "a.txt").write_text("alpha\n")
    branch = bash_script(tmp_path / "branch.sh", 'echo "current branch: feature-x"\n')
    post = python_script(
        tmp_path / "post.py",
        "out = {'hookEventName': 'PostToolUse', 'additionalContext': 'a.txt is generated'}\n"
        "print(json.dumps({'hookSpecificOutput': out}))\n",
    )
    settings(project, {"UserPromptSubmit": group(branch), "PostToolUse": group(post, "Read")})
    run = await run_agent(
        project,
        [tool_response("Read", {"file_path": "{cwd}/a.txt"}), text_response("done")],
        "look at a.txt",
    )
    first = run.sent(0)["messages"][0]["content"]
    assert [b["text"] for b in first] == ["look at a.txt", "current branch: feature-x"]
    result = run.sent(1)["messages"][-1]["content"][0]["content"]
    assert "alpha" in result and result.endswith("[PostToolUse hook] a.txt is generated")


async def test_user_prompt_submit_can_drop_the_prompt(project: Path, tmp_path: Path) -> None:
    block = bash_script(tmp_path / "b.sh", 'echo "no secrets please" >&2\nexit 2\n')
    settings(project, {"UserPromptSubmit": group(block)})
    run = await run_agent(project, [], "my password is hunter2")
    assert run.result.is_error and "no secrets please" in run.result.result
    assert run.requests == []


async def test_stop_hook_makes_the_agent_continue_once(project: Path, tmp_path: Path) -> None:
    stop = python_script(
        tmp_path / "stop.py",
        "if not event['stop_hook_active']:\n"
        "    sys.stderr.write('run the tests before stopping')\n"
        "    sys.exit(2)\n",
    )
    settings(project, {"Stop": group(stop)})
    run = await run_agent(
        project, [text_response("done"), text_response("tests pass, done")], "fix it"
    )
    assert run.result.result == "tests pass, done"
    last = run.sent(1)["messages"][-1]
    assert last["role"] == "user"
    assert last["content"][-1]["text"].endswith("run the tests before stopping")


async def test_a_hook_that_times_out_does_not_block(project: Path, tmp_path: Path) -> None:
    (project / "a.txt").write_text("alpha\n")
    slow = bash_script(tmp_path / "slow.sh", "sleep 60\nexit 2\n")
    settings(project, {"PreToolUse": group(slow, "Read", timeout=1)})
    run = await run_agent(
        project,
        [tool_response("Read", {"file_path": "{cwd}/a.txt"}), text_response("read it")],
        "read a.txt",
    )
    assert not run.tool_results()[0]["is_error"]
    messages = [e["message"] for e in run.kinds("hook")]
    assert any("timed out" in m for m in messages)


async def test_session_start_context_and_session_end(project: Path, tmp_path: Path) -> None:
    ended = tmp_path / "ended"
    start = bash_script(tmp_path / "start.sh", 'echo "remember: tabs not spaces"\n')
    end = python_script(tmp_path / "end.py", f"open({str(ended)!r}, 'w').write(event['reason'])\n")
    settings(project, {"SessionStart": group(start, "startup"), "SessionEnd": group(end)})
    run = await run_agent(project, [text_response("ok"), text_response("ok again")], "hi", "more")
    first, second = run.sent(0)["messages"][0]["content"], run.sent(1)["messages"][-1]["content"]
    assert [b["text"] for b in first] == ["hi", "remember: tabs not spaces"]
    assert [b["text"] for b in second] == ["more"]  # once per session
    assert ended.read_text() == "other"


async def test_post_tool_use_continue_false_ends_the_run(project: Path, tmp_path: Path) -> None:
    (project / "a.txt").write_text("alpha\n")
    stop = python_script(
        tmp_path / "stop.py", "print(json.dumps({'continue': False, 'stopReason': 'budget hit'}))\n"
    )
    settings(project, {"PostToolUse": group(stop, "Read")})
    run = await run_agent(project, [tool_response("Read", {"file_path": "{cwd}/a.txt"})], "read")
    assert run.result.is_error and run.result.result == "budget hit"
    assert len(run.requests) == 1
