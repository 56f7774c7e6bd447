"""Credentials never leave the server: a Bash call reading the server's own environment block
(`/proc/$PPID/environ`) and its own `env` finds none, and a secret's exact value in a file the
model reads reaches neither the model, the editor nor the transcript."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.e2e.agent_harness import HELLO, StartAgent, bash_scenario, read_step

DEMO_MCP_SERVER = Path(__file__).parent.parent / "compat" / "mcp_demo_server.py"

AWS_SECRET = "aws-secret-value-0123456789"


async def test_a_bash_call_finds_no_credential(start_agent: StartAgent, workspace: Path) -> None:
    command = "tr '\\0' '\\n' < /proc/$PPID/environ; echo ---; env"
    h = await start_agent(
        bash_scenario(command),
        init_options={"permissionMode": "bypassPermissions"},
        extra_env={"AWS_SECRET_ACCESS_KEY": AWS_SECRET, "AWS_REGION": "eu-west-1"},
    )
    (workspace / "hello.py").write_text(HELLO)
    uri = h.editor.open(workspace / "hello.py")
    started = await h.command("lspAgent.ask", {"uri": uri, "prompt": "show the environment"})
    done = await h.editor.done(started["sessionId"])
    assert done["subtype"] == "success"
    [result] = h.tool_results()
    output = result["content"]
    assert "---" in output and "AWS_REGION=eu-west-1" in output  # both parts ran
    for leaked in ("sk-test-key", "ANTHROPIC_API_KEY", AWS_SECRET, "AWS_SECRET_ACCESS_KEY"):
        assert leaked not in output
    assert h.fake.requests[0].headers["x-api-key"] == "sk-test-key"  # the server still has it


async def test_a_secret_value_in_a_tool_result_is_redacted(
    start_agent: StartAgent, workspace: Path, env: dict[str, str]
) -> None:
    (workspace / "hello.py").write_text(f"KEY = 'sk-test-key'\n{HELLO}")
    h = await start_agent([read_step(), {"content": [{"type": "text", "text": "read it"}]}])
    uri = h.editor.open(workspace / "hello.py")
    started = await h.command("lspAgent.ask", {"uri": uri, "prompt": "read"})
    await h.editor.done(started["sessionId"])
    [result] = h.tool_results()
    assert "[redacted ANTHROPIC_API_KEY]" in result["content"]
    sessions = Path(env["LSP_AGENT_DATA_DIR"]) / "sessions"
    seen = [json.dumps(h.editor.stream), *(p.read_text() for p in sessions.glob("*.jsonl"))]
    assert all("sk-test-key" not in text for text in seen)
    assert "sk-test-key" not in json.dumps(h.fake.requests[-1].body)


async def test_an_mcp_server_still_gets_the_credential_its_env_names(
    start_agent: StartAgent, workspace: Path, env: dict[str, str]
) -> None:
    """The server holds credentials outside its process environment; `${VAR}` in an MCP
    server's configuration still expands from them."""
    demo = {"command": sys.executable, "args": [str(DEMO_MCP_SERVER)]}
    demo["env"] = {"DEMO_TOKEN": "${AWS_SECRET_ACCESS_KEY}"}  # type: ignore[assignment]
    Path(env["HOME"], ".claude.json").write_text(json.dumps({"mcpServers": {"demo": demo}}))
    call = {"type": "tool_use", "name": "mcp__demo__add", "input": {"a": 40, "b": 2}}
    h = await start_agent(
        [{"content": [call]}, {"content": [{"type": "text", "text": "42"}]}],
        init_options={"permissionMode": "bypassPermissions"},
        extra_env={"AWS_SECRET_ACCESS_KEY": AWS_SECRET},
    )
    (workspace / "hello.py").write_text(HELLO)
    uri = h.editor.open(workspace / "hello.py")
    started = await h.command("lspAgent.ask", {"uri": uri, "prompt": "add"})
    await h.editor.done(started["sessionId"])
    assert [r["content"] for r in h.tool_results()] == ["42"]


async def test_a_planted_secret_reaches_no_output(
    start_agent: StartAgent, workspace: Path, env: dict[str, str]
) -> None:
    """The key's value planted where the model, the editor and the transcript would see it
    other than through a tool result: a hook's additionalContext and systemMessage, a Bash
    command's output, the model's own answer. No byte of any output holds it."""
    (workspace / "secret.txt").write_text("sk-test-key")
    hook = (
        'k=$(cat secret.txt); printf \'{"systemMessage": "hook says %s", "hookSpecificOutput": '
        '{"hookEventName": "UserPromptSubmit", "additionalContext": "context %s"}}\' "$k" "$k"'
    )
    hooks = {"UserPromptSubmit": [{"hooks": [{"type": "command", "command": hook}]}]}
    (workspace / ".claude").mkdir()
    (workspace / ".claude" / "settings.json").write_text(json.dumps({"hooks": hooks}))
    steps = bash_scenario("cat secret.txt")
    thinking = {"type": "thinking", "thinking": "They want sk-test-key shown.", "signature": "s1"}
    answer = {"type": "text", "text": "Your key is sk-test-key, keep it."}
    steps[-1] = {"content": [thinking, answer]}
    h = await start_agent(
        steps,
        init_options={"permissionMode": "bypassPermissions", "workspaceTrusted": True},
        extra_env={"LSP_AGENT_LOG_LEVEL": "debug"},
    )
    (workspace / "hello.py").write_text(HELLO)
    uri = h.editor.open(workspace / "hello.py")
    started = await h.command("lspAgent.ask", {"uri": uri, "prompt": "show sk-test-key"})
    done = await h.editor.done(started["sessionId"])
    assert done["subtype"] == "success"
    bodies = json.dumps([r.body for r in h.fake.requests])
    assert "context [redacted ANTHROPIC_API_KEY]" in bodies  # the hook ran, its output redacted
    assert "show [redacted ANTHROPIC_API_KEY]" in bodies  # even the user's own prompt
    assert "Your key is [redacted ANTHROPIC_API_KEY]" in done["result"]
    sessions = Path(env["LSP_AGENT_DATA_DIR"]) / "sessions"
    transcripts = [p.read_text() for p in sessions.glob("*.jsonl")]
    assert transcripts
    logs = [m.message for m in h.client.log_messages]
    shown = [m.message for m in getattr(h.client, "messages", [])]
    outputs = [bodies, json.dumps(h.editor.stream), *transcripts, *logs, *shown]
    assert all("sk-test-key" not in text for text in outputs)
    assert "hook says [redacted ANTHROPIC_API_KEY]" in json.dumps(h.editor.stream)
    # Streamed in small deltas, the key is split across notifications: joined, it is not there.
    streamed = "".join(e["text"] for e in h.editor.stream if e["kind"] == "text")
    assert "Your key is [redacted ANTHROPIC_API_KEY], keep it." in streamed
    thought = "".join(e["text"] for e in h.editor.stream if e["kind"] == "thinking")
    assert thought == "They want [redacted ANTHROPIC_API_KEY] shown."
