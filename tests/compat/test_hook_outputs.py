"""Hook JSON outputs and exit codes per event, as Claude Code's hooks reference defines them,
end to end through `lsp-agent ask` and the scripted fake API: PostToolBatch blocking stops the
loop, Stop's `additionalContext` keeps the agent going, PostToolUse's `updatedToolOutput`,
PermissionDenied's `retry`, JSON read on any exit code (exit 2 still blocks), PreCompact
blocking `/compact`, and `if` keeping a hook off non-tool events."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from lsp_agent.testing.fake_anthropic import FakeAnthropic
from tests.agent.test_cli_ask import ask, cli_env
from tests.compat.conftest import write_json


def tool(name: str, tool_input: dict[str, Any]) -> dict[str, Any]:
    return {"content": [{"type": "tool_use", "name": name, "input": tool_input}]}


def text(words: str) -> dict[str, Any]:
    return {"content": [{"type": "text", "text": words}]}


def prints(output: dict[str, Any], code: int = 0, stderr: str = "") -> dict[str, Any]:
    """A command hook printing `output` as JSON and exiting `code`."""
    script = f"import sys; print({json.dumps(json.dumps(output))}); "
    script += f"sys.stderr.write({stderr!r}); sys.exit({code})"
    return {"type": "command", "command": sys.executable, "args": ["-c", script]}


def settings(workspace: Path, hooks: dict[str, Any]) -> None:
    write_json(workspace / ".claude" / "settings.json", {"hooks": hooks})


async def run(
    tmp_path: Path, workspace: Path, responses: list[dict[str, Any]], *args: str
) -> tuple[Any, FakeAnthropic]:
    async with FakeAnthropic({"responses": responses}, variables={"cwd": str(workspace)}) as fake:
        done = await ask(
            cli_env(tmp_path, fake),
            *("--cwd", str(workspace), "--output-format", "stream-json", *args),
        )
    return done, fake


async def test_post_tool_batch_block_stops_before_the_next_request(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    seen = tmp_path / "batch.json"
    record = {"type": "command", "command": f"cat > {seen}"}
    block = prints({"decision": "block", "reason": "the build is red; stop here"})
    settings(workspace, {"PostToolBatch": [{"hooks": [record, block]}]})
    responses = [tool("Glob", {"pattern": "*.py"}), text("never asked")]
    done, fake = await run(tmp_path, workspace, responses, "look")
    assert len(fake.requests) == 1  # the loop stopped before a second model request
    assert "the build is red; stop here" in done.stdout
    [call] = json.loads(seen.read_text())["tool_calls"]
    assert call["tool_name"] == "Glob" and call["tool_use_id"] and "tool_response" in call


async def test_stop_context_continues_and_json_decides_on_any_exit_code(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    (workspace / "a.txt").parent.mkdir(parents=True)
    (workspace / "a.txt").write_text("secret value\n")
    once = tmp_path / "stopped-once"
    stop_script = (
        "import json, os, sys\n"
        f"if os.path.exists({str(once)!r}): sys.exit(0)\n"
        f"open({str(once)!r}, 'w').close()\n"
        "out = {'hookEventName': 'Stop', 'additionalContext': 'Also run the linter.'}\n"
        "print(json.dumps({'hookSpecificOutput': out}))\n"
    )
    stop = {"type": "command", "command": sys.executable, "args": ["-c", stop_script]}
    redact = {
        "hookSpecificOutput": {"hookEventName": "PostToolUse", "updatedToolOutput": "[hidden]"}
    }
    # Exit 1 with JSON: the JSON decides (a deny), no failure is reported.
    deny = {
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": "deny",
            "permissionDecisionReason": "no globbing today",
        }
    }
    # Exit 2 with JSON: blocks, the JSON's reason winning over stderr.
    block = {"decision": "block", "reason": "grep is blocked by policy"}
    # `if` on a non-tool event: the hook never runs.
    marker = tmp_path / "never"
    never = {"type": "command", "if": "Bash(*)", "command": f"touch {marker}"}
    settings(
        workspace,
        {
            "Stop": [{"hooks": [{**stop}]}],
            "PostToolUse": [{"matcher": "Read", "hooks": [prints(redact)]}],
            "PreToolUse": [
                {"matcher": "Glob", "hooks": [prints(deny, code=1, stderr="ignored")]},
                {"matcher": "Grep", "hooks": [prints(block, code=2, stderr="stderr reason")]},
            ],
            "UserPromptSubmit": [{"hooks": [never]}],
        },
    )
    responses = [
        {
            "content": [
                {"type": "tool_use", "name": "Read", "input": {"file_path": "{cwd}/a.txt"}},
                {"type": "tool_use", "name": "Glob", "input": {"pattern": "*"}},
                {"type": "tool_use", "name": "Grep", "input": {"pattern": "x"}},
            ]
        },
        text("Looked."),
        text("Linted."),
    ]
    done, fake = await run(tmp_path, workspace, responses, "look")
    assert done.code == 0, done.stderr
    results = json.dumps(fake.requests[1].body["messages"][-1])
    assert "[hidden]" in results and "secret value" not in results
    assert "no globbing today" in results and "ignored" not in done.stdout
    assert "grep is blocked by policy" in results and "stderr reason" not in results
    # Stop's additionalContext kept the agent going with it as the next instruction.
    assert "Also run the linter." in json.dumps(fake.requests[2].body["messages"][-1])
    assert not marker.exists()
    assert fake.remaining == 0


async def test_permission_denied_retry_tells_the_model(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    retry = {"hookSpecificOutput": {"hookEventName": "PermissionDenied", "retry": True}}
    settings(workspace, {"PermissionDenied": [{"matcher": "Bash", "hooks": [prints(retry)]}]})
    responses = [tool("Bash", {"command": "touch x"}), text("Fine.")]
    done, fake = await run(tmp_path, workspace, responses, "make x")  # headless: denied
    assert done.code == 0, done.stderr
    result = json.dumps(fake.requests[1].body["messages"][-1])
    assert "may retry this tool call" in result
    assert not (workspace / "x").exists()


async def test_pre_compact_exit_2_blocks_compaction(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    veto = {"type": "command", "command": "echo 'keep the full history' >&2; exit 2"}
    settings(workspace, {"PreCompact": [{"matcher": "manual", "hooks": [veto]}]})
    async with FakeAnthropic({"responses": [text("Hello.")]}, variables={"cwd": "."}) as fake:
        env = cli_env(tmp_path, fake)
        done = await ask(env, "--cwd", str(workspace), "--output-format", "json", "hi")
        session = json.loads(done.stdout)["session_id"]
        args = ("--cwd", str(workspace), "--resume", session, "--output-format", "stream-json")
        done = await ask(env, *args, "/compact")
    assert done.code == 0, done.stderr
    assert fake.remaining == 0 and len(fake.requests) == 1  # no summary was asked for
    assert "Not compacted: a PreCompact hook blocked it." in done.stdout
    assert "keep the full history" in done.stdout


async def test_stop_inputs_and_subagent_stop_matcher(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    log = tmp_path / "stops.log"
    record = {"type": "command", "command": f"cat >> {log}; echo >> {log}"}
    skipped = tmp_path / "plan-stop"
    settings(
        workspace,
        {
            "Stop": [{"hooks": [record]}],
            "SubagentStop": [
                {"matcher": "Explore", "hooks": [record]},
                {"matcher": "Plan", "hooks": [{"type": "command", "command": f"touch {skipped}"}]},
            ],
        },
    )
    call = {"subagent_type": "Explore", "description": "look", "prompt": "Look around."}
    responses = [tool("Agent", call), text("Seen it all."), text("All done.")]
    done, _fake = await run(tmp_path, workspace, responses, "explore")
    assert done.code == 0, done.stderr
    sub, top = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    assert sub["hook_event_name"] == "SubagentStop" and sub["agent_type"] == "Explore"
    assert sub["last_assistant_message"] == "Seen it all." and sub["agent_id"]
    assert top["hook_event_name"] == "Stop" and top["last_assistant_message"] == "All done."
    assert not skipped.exists()  # SubagentStop matches on the agent type


async def test_file_changed_and_config_change_fire_after_tool_calls(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    # One log per hook: hooks matching the same change run in parallel.
    logs = {name: tmp_path / f"{name}.log" for name in ("envrc", "any", "config")}

    def record(name: str) -> str:
        return f"cat >> {logs[name]}; echo >> {logs[name]}"

    extra = workspace / "data" / "extra.csv"
    watch = {"watchPaths": [str(extra)]}
    settings(
        workspace,
        {
            # `.envrc` is watched by name; its hook adds a path to the watch list.
            "FileChanged": [
                {
                    "matcher": ".envrc",
                    "hooks": [
                        {
                            "type": "command",
                            "command": f"{record('envrc')}; echo '{json.dumps(watch)}'",
                        }
                    ],
                },
                {"hooks": [{"type": "command", "command": record("any")}]},
            ],
            "ConfigChange": [{"hooks": [{"type": "command", "command": record("config")}]}],
        },
    )
    skill = workspace / ".claude" / "skills" / "new" / "SKILL.md"
    responses = [
        tool("Bash", {"command": "echo 'export A=1' > .envrc"}),
        tool("Bash", {"command": f"mkdir -p data && echo 1,2 > {extra}"}),
        tool("Bash", {"command": f"mkdir -p {skill.parent} && echo '# New' > {skill}"}),
        text("Done."),
    ]
    done, fake = await run(
        tmp_path, workspace, responses, "--permission-mode", "bypassPermissions", "set up"
    )
    assert done.code == 0, done.stderr

    def seen(name: str) -> list[tuple[str, str | None, str]]:
        lines = logs[name].read_text().splitlines() if logs[name].exists() else []
        events = [json.loads(line) for line in lines if line.strip()]
        return [
            (e["hook_event_name"], e.get("event") or e.get("source"), Path(e["file_path"]).name)
            for e in events
        ]

    assert seen("envrc") == [("FileChanged", "add", ".envrc")]
    # The group without a matcher sees every watched file, the hook-added path too.
    assert seen("any") == [("FileChanged", "add", ".envrc"), ("FileChanged", "add", "extra.csv")]
    assert seen("config") == [("ConfigChange", "skills", "SKILL.md")]
    assert fake.remaining == 0


async def test_permission_request_interrupt_stops_and_exit_2_is_silent(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    answer = {"behavior": "deny", "message": "not on a Friday", "interrupt": True}
    deny = {"hookSpecificOutput": {"hookEventName": "PermissionRequest", "decision": answer}}
    quiet = {"type": "command", "command": "echo 'this stderr is dropped' >&2; exit 2"}
    settings(
        workspace, {"PermissionRequest": [{"matcher": "Bash", "hooks": [prints(deny), quiet]}]}
    )
    responses = [tool("Bash", {"command": "touch x"}), text("never asked")]
    done, fake = await run(tmp_path, workspace, responses, "make x")
    assert len(fake.requests) == 1  # `interrupt`: the denial stopped the agent too
    assert "not on a Friday" in done.stdout
    assert "this stderr is dropped" not in done.stdout
    assert not (workspace / "x").exists()


async def test_session_start_env_file_reaches_bash_commands(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    export = {
        "type": "command",
        "command": 'echo \'export FROM_HOOK="set by a hook"\' >> "$CLAUDE_ENV_FILE"',
    }
    settings(workspace, {"SessionStart": [{"hooks": [export]}]})
    responses = [tool("Bash", {"command": 'echo "[$FROM_HOOK]"'}), text("Done.")]
    done, fake = await run(
        tmp_path, workspace, responses, "--permission-mode", "bypassPermissions", "show"
    )
    assert done.code == 0, done.stderr
    assert "[set by a hook]" in json.dumps(fake.requests[1].body["messages"][-1])
    assert not list((tmp_path / "env").rglob("session-env/*.sh"))  # removed at session end


async def test_session_start_reload_skills_and_model(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    skills = workspace / ".claude" / "skills"
    (skills / "old").mkdir(parents=True)
    (skills / "old" / "SKILL.md").write_text("---\nname: old\ndescription: Old.\n---\nOld body.\n")
    seen = tmp_path / "start.json"
    fresh = "---\nname: fresh\ndescription: Installed by a hook.\n---\nFresh instructions.\n"
    install = (
        "import json, os, sys\n"
        f"open({str(seen)!r}, 'w').write(sys.stdin.read())\n"
        f"os.makedirs({str(skills / 'fresh')!r}, exist_ok=True)\n"
        f"open({str(skills / 'fresh' / 'SKILL.md')!r}, 'w').write({fresh!r})\n"
        "out = {'hookEventName': 'SessionStart', 'reloadSkills': True}\n"
        "print(json.dumps({'hookSpecificOutput': out}))\n"
    )
    hook = {"type": "command", "command": sys.executable, "args": ["-c", install]}
    settings(workspace, {"SessionStart": [{"matcher": "startup", "hooks": [hook]}]})
    responses = [tool("Skill", {"skill": "fresh"}), text("Done.")]
    done, fake = await run(tmp_path, workspace, responses, "--model", "opus", "go")
    assert done.code == 0, done.stderr
    assert "Fresh instructions." in json.dumps(fake.requests[1].body["messages"][-1])
    assert json.loads(seen.read_text())["model"] == "claude-opus-5"


async def test_compaction_and_clear_fire_session_hooks(tmp_path: Path) -> None:
    from tests.compat.agent_run import run_agent, text_response

    workspace = tmp_path / "workspace"
    (workspace / "CLAUDE.md").parent.mkdir(parents=True)
    (workspace / "CLAUDE.md").write_text("Use tabs.\n")
    log = tmp_path / "session.log"
    record = {"type": "command", "command": f"cat >> {log}; echo >> {log}"}
    after = {
        "hookSpecificOutput": {
            "hookEventName": "SessionStart",
            "additionalContext": "Branch: main (after compaction)",
        }
    }
    settings(
        workspace,
        {
            "SessionStart": [
                {"matcher": "compact", "hooks": [prints(after)]},
                {"hooks": [record]},
            ],
            "SessionEnd": [{"hooks": [{**record, "timeout": 30}]}],
            "InstructionsLoaded": [{"matcher": "compact", "hooks": [record]}],
        },
    )
    answers = ["Hello.", "Summary: said hello.", "Still here.", "Cleared and back."]
    run = await run_agent(
        workspace,
        [text_response(a) for a in answers],
        *("hi", "/compact", "and now?", "/clear", "fresh start"),
    )
    # The first request after compaction carries the SessionStart "compact" hook's context.
    assert "Branch: main (after compaction)" in json.dumps(run.sent(2)["messages"][0])
    seen = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    fired = [
        (e["hook_event_name"], e.get("source") or e.get("reason") or e.get("load_reason"))
        for e in seen
    ]
    assert fired == [
        ("SessionStart", "startup"),
        ("InstructionsLoaded", "compact"),
        ("SessionStart", "compact"),
        ("SessionEnd", "clear"),
        ("SessionStart", "clear"),
        ("SessionEnd", "other"),
    ]


async def test_reloaded_skills_of_an_untrusted_folder_pre_approve_nothing(tmp_path: Path) -> None:
    """A user's SessionStart hook asking for `reloadSkills` in a folder the user has not
    trusted: the folder's skills come back as they loaded, their `allowed-tools` left out."""
    import subprocess

    from tests.agent.test_cli_ask import COMMAND
    from tests.conftest import isolated_env

    workspace = tmp_path / "workspace"
    skill = workspace / ".claude" / "skills" / "shout" / "SKILL.md"
    skill.parent.mkdir(parents=True)
    skill.write_text(
        "---\nname: shout\ndescription: Shouts.\nallowed-tools: Bash(echo *)\n---\nShout.\n"
    )
    reload = prints({"hookSpecificOutput": {"hookEventName": "SessionStart", "reloadSkills": True}})
    user = tmp_path / "env" / "home" / ".claude"
    write_json(user / "settings.json", {"hooks": {"SessionStart": [{"hooks": [reload]}]}})
    # The user's own skill pre-approves something, so grants are consulted at all.
    mine = user / "skills" / "mine" / "SKILL.md"
    mine.parent.mkdir(parents=True)
    mine.write_text("---\nname: mine\ndescription: Mine.\nallowed-tools: Read\n---\nMine.\n")
    env = isolated_env(tmp_path / "env")  # the HOME and data directory cli_env uses
    subprocess.run([*COMMAND, "trust", "--no", "--cwd", str(workspace)], env=env, check=True)
    responses = [
        tool("Skill", {"skill": "shout"}),
        tool("Bash", {"command": "echo granted-by-the-folder"}),
        text("Done."),
    ]
    done, fake = await run(tmp_path, workspace, responses, "go")
    assert done.code == 0, done.stderr
    result = json.dumps(fake.requests[2].body["messages"][-1])
    assert "Permission to use Bash was not granted" in result  # asked, and headless said no
