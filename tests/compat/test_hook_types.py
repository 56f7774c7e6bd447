"""The hook types and fields Claude Code's current hooks reference defines, end to end through
`lsp-agent ask` and the scripted fake API, configured in `.claude/settings.json` as a user
would: exec-form command hooks (`args`), `agent` hooks (a verifying subagent), `mcp_tool` hooks
(a tool of a connected MCP server), and prompt hooks' `model`, `continueOnBlock` and
`impossible`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from lsp_agent.testing.fake_anthropic import FakeAnthropic
from tests.agent.test_cli_ask import ask, cli_env
from tests.compat.conftest import write_json

DEMO = str(Path(__file__).with_name("mcp_demo_server.py"))


def tool(name: str, tool_input: dict[str, Any]) -> dict[str, Any]:
    return {"content": [{"type": "tool_use", "name": name, "input": tool_input}]}


def text(words: str) -> dict[str, Any]:
    return {"content": [{"type": "text", "text": words}]}


def settings(workspace: Path, hooks: dict[str, Any], **extra: Any) -> None:
    write_json(workspace / ".claude" / "settings.json", {"hooks": hooks, **extra})


def events(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def hook_messages(stdout: str) -> str:
    return json.dumps([e for e in events(stdout) if e.get("type") == "hook" or "hook" in str(e)])


async def test_exec_form_passes_arguments_verbatim_without_a_shell(tmp_path: Path) -> None:
    # A folder name with a space and an argument full of shell syntax: exec form needs no
    # quoting, and nothing is expanded but the path placeholder.
    workspace = tmp_path / "my project"
    seen = tmp_path / "argv.json"
    script = workspace / ".claude" / "hooks" / "check.py"
    script.parent.mkdir(parents=True)
    deny = {
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": "deny",
            "permissionDecisionReason": "exec-form hook says no",
        }
    }
    script.write_text(
        "import json, os, sys\n"
        f"json.dump({{'argv': sys.argv[1:], 'root': os.environ['CLAUDE_PROJECT_DIR']}}, "
        f"open({str(seen)!r}, 'w'))\n"
        f"print(json.dumps({deny!r}))\n"
    )
    odd = "it's $HOME `whoami` ${CLAUDE_PROJECT_DIR}/x > out"
    hook = {
        "type": "command",
        "command": sys.executable,
        "args": ["${CLAUDE_PROJECT_DIR}/.claude/hooks/check.py", odd, "${UNKNOWN}"],
    }
    settings(workspace, {"PreToolUse": [{"matcher": "Bash", "hooks": [hook]}]})
    responses = [tool("Bash", {"command": "echo hi > made.txt"}), text("Stopped.")]
    async with FakeAnthropic({"responses": responses}, variables={"cwd": str(workspace)}) as fake:
        done = await ask(cli_env(tmp_path, fake), "--cwd", str(workspace), "go")
    assert done.code == 0, done.stderr
    ran = json.loads(seen.read_text())
    expanded = odd.replace("${CLAUDE_PROJECT_DIR}", str(workspace))
    assert ran["argv"] == [expanded, "${UNKNOWN}"]  # after the script, found at its path
    assert ran["root"] == str(workspace)
    assert not (workspace / "out").exists() and not (workspace / "made.txt").exists()
    assert "exec-form hook says no" in json.dumps(fake.requests[1].body["messages"][-1])


async def test_exec_form_with_a_missing_program_is_a_message(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    hook = {"type": "command", "command": "node script.js", "args": []}
    settings(workspace, {"UserPromptSubmit": [{"hooks": [hook]}]})
    async with FakeAnthropic({"responses": [text("Hi.")]}, variables={"cwd": "."}) as fake:
        env = cli_env(tmp_path, fake)
        done = await ask(env, "--cwd", str(workspace), "--output-format", "stream-json", "hi")
    assert done.code == 0, done.stderr
    assert "no executable 'node script.js' on PATH" in done.stdout
    assert "put its arguments in `args`" in done.stdout


async def test_prompt_hook_model_and_default_end_of_turn(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    hook = {"type": "prompt", "prompt": r"Costs over \$1.00 need approval: $ARGUMENTS"}
    hook["model"] = "sonnet"
    settings(workspace, {"PreToolUse": [{"matcher": "Bash", "hooks": [hook]}]})
    verdict = '{"ok": false, "reason": "spending needs approval"}'
    responses = [tool("Bash", {"command": "buy"}), text(verdict)]
    async with FakeAnthropic({"responses": responses}, variables={"cwd": str(workspace)}) as fake:
        env = {**cli_env(tmp_path, fake), "ANTHROPIC_DEFAULT_SONNET_MODEL": "team-sonnet"}
        args = ("--cwd", str(workspace), "--permission-mode", "bypassPermissions")
        done = await ask(env, *args, "--output-format", "stream-json", "buy it")
    judged = fake.requests[1].body
    assert judged["model"] == "team-sonnet"  # the hook's alias, resolved as everywhere else
    asked = judged["messages"][0]["content"][0]["text"]
    assert asked.startswith("Costs over $1.00 need approval: {")
    # Without continueOnBlock the turn ends: no further request, the reason shown to the user.
    assert len(fake.requests) == 2
    assert "spending needs approval" in done.stdout


async def test_prompt_stop_hook_impossible_lets_the_turn_end(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    hook = {"type": "prompt", "prompt": "Are all tasks complete? $ARGUMENTS"}
    settings(workspace, {"Stop": [{"hooks": [hook]}]})
    impossible = '{"ok": false, "reason": "needs a network", "impossible": true}'
    responses = [text("Done."), text(impossible)]
    async with FakeAnthropic({"responses": responses}, variables={"cwd": str(workspace)}) as fake:
        done = await ask(cli_env(tmp_path, fake), "--cwd", str(workspace), "finish")
    assert done.code == 0, done.stderr
    assert done.stdout.strip() == "Done."
    assert fake.requests[1].body["model"] == "claude-haiku-4-5"  # the small fast model
    assert fake.remaining == 0


async def test_agent_stop_hook_verifies_with_tools_and_keeps_the_agent_going(
    tmp_path: Path,
) -> None:
    workspace = tmp_path / "workspace"
    (workspace / "TODO.md").parent.mkdir(parents=True)
    (workspace / "TODO.md").write_text("- write the changelog\n")
    read_log = tmp_path / "reads.log"
    hooks = {
        "Stop": [{"hooks": [{"type": "agent", "prompt": "Check TODO.md is done. $ARGUMENTS"}]}],
        # Fires for the main agent's Read calls, never for the verifier's.
        "PreToolUse": [
            {"matcher": "Read", "hooks": [{"type": "command", "command": f"cat >> {read_log}"}]}
        ],
    }
    settings(workspace, hooks)
    responses = [
        text("All done."),  # the main agent stops
        tool("Read", {"file_path": "{cwd}/TODO.md"}),  # the verifier looks
        text('{"ok": false, "reason": "TODO.md still lists the changelog"}'),
        text("Changelog written."),  # the main agent, told why
        text('{"ok": true}'),  # the verifier again
    ]
    async with FakeAnthropic({"responses": responses}, variables={"cwd": str(workspace)}) as fake:
        env = {**cli_env(tmp_path, fake), "ANTHROPIC_DEFAULT_HAIKU_MODEL": "fast-one"}
        done = await ask(env, "--cwd", str(workspace), "finish")
    assert done.code == 0, done.stderr
    assert done.stdout.strip() == "All done.Changelog written."  # the verifier's words unshown
    verifier = fake.requests[1].body
    assert verifier["model"] == "fast-one"
    assert "Check TODO.md is done. {" in json.dumps(verifier["messages"][0])
    assert {t["name"] for t in verifier["tools"]} <= {"Read", "Glob", "Grep", "LS"} | {
        "LSP",
        "SymbolSearch",
        "FindDefinition",
        "FileOutline",
    }
    saw = json.dumps(fake.requests[2].body["messages"][-1])
    assert "write the changelog" in saw  # the Read result reached the verifier
    told = json.dumps(fake.requests[3].body["messages"][-1])
    assert "TODO.md still lists the changelog" in told
    assert not read_log.exists()  # the verifier's own Read fired no hook
    assert fake.remaining == 0


def mcp_settings(workspace: Path, hooks: dict[str, Any]) -> None:
    write_json(
        workspace / ".mcp.json",
        {"mcpServers": {"demo": {"command": sys.executable, "args": [DEMO]}}},
    )
    settings(workspace, hooks, enabledMcpjsonServers=["demo"])


async def test_mcp_tool_hook_calls_a_connected_server(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    shout = {"type": "mcp_tool", "server": "demo", "tool": "shout", "input": {"text": "${prompt}"}}
    verdict = {"decision": "block", "reason": "scanned ${tool_input.file_path}"}
    scan = {
        "type": "mcp_tool",
        "server": "demo",
        "tool": "echo",
        "input": {"text": json.dumps(verdict)},
    }
    missing = {"type": "mcp_tool", "server": "nowhere", "tool": "scan"}
    failing = {"type": "mcp_tool", "server": "demo", "tool": "fail"}
    mcp_settings(
        workspace,
        {
            "UserPromptSubmit": [{"hooks": [shout]}],
            "PostToolUse": [{"matcher": "Write", "hooks": [scan, missing, failing]}],
        },
    )
    target = workspace / "notes.txt"
    responses = [tool("Write", {"file_path": str(target), "content": "hi\n"}), text("Written.")]
    async with FakeAnthropic({"responses": responses}, variables={"cwd": str(workspace)}) as fake:
        env = cli_env(tmp_path, fake)
        args = ("--cwd", str(workspace), "--permission-mode", "acceptEdits")
        done = await ask(env, *args, "--output-format", "stream-json", "write notes")
    assert done.code == 0, done.stderr
    assert target.read_text() == "hi\n"
    # UserPromptSubmit takes plain text as context: the tool's answer, from the event's prompt.
    assert '"WRITE NOTES"' in json.dumps(fake.requests[0].body["messages"][0])
    # The tool's text is read like a command's stdout: JSON decides; the path was filled in.
    result = json.dumps(fake.requests[1].body["messages"][-1])
    assert f"scanned {target}" in result
    # A server that is not connected and a tool that fails are messages; the run went on.
    assert "MCP server 'nowhere' is not connected" in done.stdout
    assert "`demo:fail` failed: the tool answered with an error" in done.stdout


async def test_http_hook_plain_text_body_is_an_error_not_context(tmp_path: Path) -> None:
    import asyncio

    from tests.compat.test_hook_kinds import HookServer

    server = HookServer({})
    server.answer = b"remember the milk"
    listening = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    workspace = tmp_path / "workspace"
    hook = {"type": "http", "url": f"http://127.0.0.1:{port}/hook"}
    settings(workspace, {"UserPromptSubmit": [{"hooks": [hook]}]})
    async with listening, FakeAnthropic({"responses": [text("Hi.")]}, variables={}) as fake:
        env = cli_env(tmp_path, fake)
        done = await ask(env, "--cwd", str(workspace), "--output-format", "stream-json", "hi")
    assert done.code == 0, done.stderr
    assert server.received and "remember the milk" not in json.dumps(fake.requests[0].body)
    assert "the hook answered with text, not a JSON object" in done.stdout


async def test_a_prompt_hook_whose_request_fails_is_a_message(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    hook = {"type": "prompt", "prompt": "Is this fine? $ARGUMENTS"}
    settings(workspace, {"PreToolUse": [{"matcher": "Bash", "hooks": [hook]}]})
    refused = {
        "status": 400,
        "error": {"type": "invalid_request_error", "message": "no such model"},
    }
    responses = [tool("Bash", {"command": "echo ran"}), refused, text("Ran it.")]
    async with FakeAnthropic({"responses": responses}, variables={"cwd": str(workspace)}) as fake:
        env = cli_env(tmp_path, fake)
        args = ("--cwd", str(workspace), "--permission-mode", "bypassPermissions")
        done = await ask(env, *args, "--output-format", "stream-json", "run it")
    assert done.code == 0, done.stderr
    assert "PreToolUse hook" in done.stdout and "no such model" in done.stdout
    assert "ran" in json.dumps(fake.requests[2].body["messages"][-1])  # the session went on


def _alive(pid: int) -> bool:
    """Whether `pid` still runs (a zombie waiting to be reaped has ended)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


async def test_async_hooks_run_in_the_background_and_report_next_turn(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    pid_file, go = tmp_path / "hook.pid", tmp_path / "go"
    stuck_pid = tmp_path / "stuck.pid"
    report = {
        "hookSpecificOutput": {"hookEventName": "PostToolUse", "additionalContext": "tests passed"}
    }
    # Waits for the agent's next command: run synchronously, it would hold the agent up.
    waits = (
        "import json, os, pathlib, time\n"
        f"pathlib.Path({str(pid_file)!r}).write_text(str(os.getpid()))\n"
        f"while not os.path.exists({str(go)!r}): time.sleep(0.01)\n"
        f"print(json.dumps({report!r}))\n"
    )
    # Never ends: the session's end must stop it.
    stuck = (
        "import os, pathlib, time\n"
        f"pathlib.Path({str(stuck_pid)!r}).write_text(str(os.getpid()))\n"
        "time.sleep(3600)\n"
    )
    # Timeouts only bound a broken run (a synchronous hook would stall the agent until then).
    hooks = [
        {"type": "command", "command": sys.executable, "args": ["-c", waits], "async": True},
        {"type": "command", "command": sys.executable, "args": ["-c", stuck], "asyncRewake": True},
    ]
    for hook in hooks:
        hook["timeout"] = 20
    settings(workspace, {"PostToolUse": [{"matcher": "Bash", "hooks": hooks}]})
    # The agent's next command lets the first hook finish and waits until it has exited.
    started = f"while [ ! -s {pid_file} ] || [ ! -s {stuck_pid} ]; do sleep 0.01; done"
    ended = f"while kill -0 $(cat {pid_file}) 2>/dev/null; do sleep 0.01; done"
    wait_for_hook = f"{started}; touch {go}; {ended}"
    responses = [
        tool("Bash", {"command": "echo one"}),
        tool("Bash", {"command": wait_for_hook}),
        text("Done."),
    ]
    async with FakeAnthropic({"responses": responses}, variables={"cwd": str(workspace)}) as fake:
        env = cli_env(tmp_path, fake)
        args = ("--cwd", str(workspace), "--permission-mode", "bypassPermissions")
        done = await ask(env, *args, "test it")
    assert done.code == 0, done.stderr
    # The finished hook's context came with the turn after it ended, marked as an async hook's.
    assert "[async hook] tests passed" in json.dumps(fake.requests[2].body["messages"][-1])
    assert "tests passed" not in json.dumps(fake.requests[1].body["messages"])
    assert not _alive(int(stuck_pid.read_text()))  # stopped with the session
