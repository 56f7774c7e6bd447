"""Hooks: configuration, matchers and real hook processes (bash and Python scripts)."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest

from lsp_agent.agent.claude.hooks import HookRunner
from lsp_agent.agent.claude.hooks_config import load_hooks, matches, parse_hooks
from tests.compat.conftest import write_json


@pytest.mark.parametrize(
    ("matcher", "value", "expected"),
    [
        ("", "Bash", True),
        ("*", "Edit", True),
        ("Bash", "Bash", True),
        ("Bash", "BashOutput", False),  # a plain name is exact
        ("Edit|Write", "Write", True),
        ("Edit|Write", "MultiEdit", False),
        ("mcp__memory__.*", "mcp__memory__create", True),
        ("Notebook.*", "NotebookEdit", True),
        (".*Edit", "MultiEdit", True),
        ("Edit$", "NotebookEdit", True),  # unanchored at the start
        ("[", "Bash", False),  # a broken regex matches nothing
        ("Edit, Write", "Write", True),  # commas and spaces list names too
        ("Edit ,Write", "MultiEdit", False),
        ("code-reviewer", "senior-code-reviewer", False),  # a hyphenated name is exact
    ],
)
def test_matcher(matcher: str, value: str, expected: bool) -> None:
    assert matches(matcher, value) is expected


@pytest.mark.parametrize(
    ("matcher", "value", "expected"),
    [
        (".envrc|.env", ".env", True),  # a regex: `.` is any character
        ("rate_limit|overloaded", "overloaded", True),
        ("rate-limit", "xrate-limitx", True),  # a hyphen keeps it on the regex path
        ("a, b", "a", False),  # no comma lists for these events
    ],
)
def test_narrow_matcher_of_file_changed_and_stop_failure(
    matcher: str, value: str, expected: bool
) -> None:
    assert matches(matcher, value, narrow=True) is expected


def hook_settings(event: str, *commands: str, matcher: str = "", timeout: float = 10) -> dict:
    hooks = [{"type": "command", "command": c, "timeout": timeout} for c in commands]
    return {"hooks": {event: [{"matcher": matcher, "hooks": hooks}]}}


def runner_for(project: Path, settings: dict[str, Any]) -> HookRunner:
    config = parse_hooks([("test", settings)])
    assert config.problems == []
    return HookRunner(config, project_dir=project, session_id="s1", permission_mode="default")


def script(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755)
    return shlex.quote(str(path))


def py_hook(path: Path, body: str) -> str:
    path.write_text("import json, os, sys\nevent = json.load(sys.stdin)\n" + body)
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(path))}"


def test_settings_files_merge_and_disable(project: Path, home: Path) -> None:
    write_json(home / ".claude/settings.json", hook_settings("Stop", "echo user"))
    write_json(project / ".claude/settings.json", hook_settings("Stop", "echo project"))
    write_json(
        project / ".claude/settings.local.json",
        hook_settings("PreToolUse", "echo local", matcher="Bash"),
    )
    config = load_hooks(project)
    assert [h.command for h in config.commands("Stop", None)] == ["echo project", "echo user"]
    assert [h.command for h in config.commands("PreToolUse", "Bash")] == ["echo local"]
    write_json(project / ".claude/settings.local.json", {"disableAllHooks": True})
    assert load_hooks(project).events == {}


def test_bad_configuration_is_reported() -> None:
    config = parse_hooks(
        [
            ("a", {"hooks": {"Nope": [], "Stop": [{"hooks": [{"type": "prompt"}]}]}}),
            ("b", {"hooks": {"Stop": [{"hooks": [{"command": "x", "timeout": -1}]}]}}),
        ]
    )
    assert len(config.problems) == 3
    assert [h.timeout for h in config.commands("Stop", None)] == [600.0]


async def test_stdin_payload_and_project_dir(project: Path, tmp_path: Path) -> None:
    seen = tmp_path / "seen.json"
    command = py_hook(
        tmp_path / "h.py",
        f"event['env'] = os.environ['CLAUDE_PROJECT_DIR']\n"
        f"open({str(seen)!r}, 'w').write(json.dumps(event))\n",
    )
    runner = runner_for(project, hook_settings("PreToolUse", command, matcher="Bash"))
    payload = {"tool_name": "Bash", "tool_input": {"command": "ls"}, "tool_use_id": "t1"}
    outcome = await runner.run("PreToolUse", payload, "Bash")
    assert not outcome.blocked and outcome.errors == []
    event = json.loads(seen.read_text())
    assert event == {
        "session_id": "s1",
        "transcript_path": "",
        "cwd": str(project),
        "permission_mode": "default",
        "hook_event_name": "PreToolUse",
        **payload,
        "env": str(project),
    }
    assert not (await runner.run("PreToolUse", payload, "Read")).results  # matcher excludes


async def test_exit_2_blocks_with_stderr(project: Path, tmp_path: Path) -> None:
    command = script(tmp_path / "block.sh", "#!/bin/bash\necho 'no rm please' >&2\nexit 2\n")
    runner = runner_for(project, hook_settings("PreToolUse", command))
    outcome = await runner.run("PreToolUse", {"tool_name": "Bash"}, "Bash")
    assert outcome.blocked
    assert outcome.permission_decision == "deny"
    assert outcome.reason == "no rm please"


async def test_exit_2_on_a_non_blocking_event_is_only_shown(project: Path, tmp_path: Path) -> None:
    command = script(tmp_path / "n.sh", "#!/bin/sh\necho nope >&2\nexit 2\n")
    outcome = await runner_for(project, hook_settings("SessionEnd", command)).run(
        "SessionEnd", {"reason": "other"}
    )
    assert not outcome.blocked
    assert outcome.errors == ["SessionEnd hook: nope"]
    # Notification ignores exit codes and stderr altogether (Claude Code's per-event table).
    outcome = await runner_for(project, hook_settings("Notification", command)).run(
        "Notification", {"message": "hi"}
    )
    assert not outcome.blocked and outcome.errors == []


async def test_other_exit_codes_do_not_block(project: Path, tmp_path: Path) -> None:
    command = script(tmp_path / "fail.sh", "#!/bin/sh\necho broken >&2\nexit 1\n")
    outcome = await runner_for(project, hook_settings("PreToolUse", command)).run(
        "PreToolUse", {}, "Bash"
    )
    assert not outcome.blocked and outcome.permission_decision is None
    assert outcome.errors == [f"PreToolUse hook `{command}` failed: broken"]


async def test_json_output_fields(project: Path, tmp_path: Path) -> None:
    output = {
        "systemMessage": "rewrote your command",
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": "allow",
            "permissionDecisionReason": "safe",
            "updatedInput": {"command": "ls -la"},
            "additionalContext": "the repo uses make",
        },
    }
    command = py_hook(tmp_path / "j.py", f"print(json.dumps({output!r}))\n")
    outcome = await runner_for(project, hook_settings("PreToolUse", command)).run(
        "PreToolUse", {}, "Bash"
    )
    assert outcome.permission_decision == "allow"
    assert outcome.permission_reason == "safe"
    assert outcome.updated_input == {"command": "ls -la"}
    assert outcome.context_text == "the repo uses make"
    assert outcome.system_messages == ["rewrote your command"]


async def test_deny_beats_ask_beats_allow(project: Path, tmp_path: Path) -> None:
    def decide(name: str, decision: str) -> str:
        out = {
            "hookSpecificOutput": {"permissionDecision": decision, "permissionDecisionReason": name}
        }
        return py_hook(tmp_path / f"{name}.py", f"print(json.dumps({out!r}))\n")

    allow, ask, deny = decide("a", "allow"), decide("b", "ask"), decide("c", "deny")
    for commands, expected in [((allow, ask), "ask"), ((deny, allow, ask), "deny")]:
        outcome = await runner_for(project, hook_settings("PreToolUse", *commands)).run(
            "PreToolUse", {}, "Edit"
        )
        assert outcome.permission_decision == expected


async def test_continue_false_and_decision_block(project: Path, tmp_path: Path) -> None:
    stop = py_hook(
        tmp_path / "s.py", "print(json.dumps({'continue': False, 'stopReason': 'done'}))"
    )
    block = py_hook(
        tmp_path / "b.py", "print(json.dumps({'decision': 'block', 'reason': 'tests'}))"
    )
    outcome = await runner_for(project, hook_settings("Stop", stop, block)).run(
        "Stop", {"stop_hook_active": False}
    )
    assert outcome.stop and outcome.stop_reason == "done"
    assert outcome.blocked and outcome.reason == "tests"


async def test_user_prompt_submit_plain_stdout_is_context(project: Path, tmp_path: Path) -> None:
    command = script(tmp_path / "ctx.sh", '#!/bin/bash\necho "branch: main"\n')
    outcome = await runner_for(project, hook_settings("UserPromptSubmit", command)).run(
        "UserPromptSubmit", {"prompt": "hi"}
    )
    assert outcome.additional_context == ["branch: main"]


async def test_identical_commands_run_once(project: Path, tmp_path: Path) -> None:
    log = tmp_path / "log"
    command = f"echo ran >> {shlex.quote(str(log))}"
    settings = {
        "hooks": {
            "PostToolUse": [
                {"matcher": "Edit", "hooks": [{"type": "command", "command": command}]},
                {"matcher": "Edit|Write", "hooks": [{"type": "command", "command": command}]},
            ]
        }
    }
    outcome = await runner_for(project, settings).run("PostToolUse", {}, "Edit")
    assert len(outcome.results) == 1
    assert log.read_text() == "ran\n"


async def test_matching_hooks_run_in_parallel(project: Path, tmp_path: Path) -> None:
    # Each hook waits for the other's mark: run one after the other, both would time out.
    def waiter(mine: str, other: str) -> str:
        return script(
            tmp_path / f"{mine}.sh",
            f"#!/bin/bash\ntouch {tmp_path / mine}\n"
            f"while [ ! -e {tmp_path / other} ]; do sleep 0.01; done\n",
        )

    settings = hook_settings("PreToolUse", waiter("a", "b"), waiter("b", "a"), timeout=30)
    outcome = await runner_for(project, settings).run("PreToolUse", {}, "Bash")
    assert [r.exit_code for r in outcome.results] == [0, 0]


async def test_timeout_kills_the_process_group_and_does_not_block(
    project: Path, tmp_path: Path
) -> None:
    pid_file = tmp_path / "child.pid"
    command = script(
        tmp_path / "slow.sh",
        f"#!/bin/bash\nsleep 300 &\necho $! > {pid_file}\nwait\nexit 2\n",
    )
    settings = hook_settings("PreToolUse", command, timeout=2)
    outcome = await runner_for(project, settings).run("PreToolUse", {}, "Bash")
    assert not outcome.blocked and outcome.permission_decision is None
    assert outcome.results[0].timed_out
    assert "timed out" in outcome.errors[0]
    if pid_file.exists():  # the shell got as far as starting its child
        assert not _alive(int(pid_file.read_text()))


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a killed, not yet reaped child is a zombie


async def test_hooks_get_no_provider_credentials(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-hook-must-not-see")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-hook-must-not-see")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    out = project / "env.txt"
    runner = runner_for(project, hook_settings("Stop", f"env > {shlex.quote(str(out))}"))
    await runner.run("Stop", {"stop_hook_active": False})
    seen = out.read_text()
    assert "AWS_REGION=eu-west-1" in seen and "CLAUDE_PROJECT_DIR" in seen
    assert "hook-must-not-see" not in seen
