"""The engine's one assembly: the same `LSP_AGENT_*` settings give the same run in the language
server, in `lsp-agent ask` and in `lsp-agent acp`, as the model API sees it; every kind of
engine event reaches an LSP client."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from lsp_agent.testing.fake_anthropic import FakeAnthropic
from tests.acp.client import AcpClient
from tests.agent.test_cli_ask import ask, cli_env
from tests.e2e.agent_harness import HELLO, StartAgent

# Every agent setting the README documents, through the environment, in both front ends. The
# API base URL comes from the setting: ANTHROPIC_BASE_URL points nowhere.
SETTINGS = {
    "LSP_AGENT_MODEL": "claude-front-end-test",
    "LSP_AGENT_FALLBACK_MODEL": "claude-fallback-test",
    "LSP_AGENT_MAX_TOKENS": "3000",
    "LSP_AGENT_THINKING_BUDGET": "1024",
    "LSP_AGENT_PERMISSION_MODE": "plan",
    "LSP_AGENT_MAX_TURNS": "2",
    "LSP_AGENT_MAX_BUDGET_USD": "5",
    "ANTHROPIC_BASE_URL": "http://127.0.0.1:9",
}
BASH_THEN_BASH = [
    {"content": [{"type": "tool_use", "name": "Bash", "input": {"command": "echo one"}}]},
    {"content": [{"type": "tool_use", "name": "Bash", "input": {"command": "echo two"}}]},
    {"content": [{"type": "text", "text": "never reached: max turns is 2"}]},
]


def seen(fake: FakeAnthropic) -> dict[str, Any]:
    """What the model API saw of a run, minus what differs by nature (ids, paths, prompts)."""
    first = fake.requests[0].body
    results = [
        block["content"]
        for request in fake.requests[1:]
        for block in request.body["messages"][-1]["content"]
        if block.get("type") == "tool_result"
    ]
    return {
        "requests": len(fake.requests),
        "model": first["model"],
        "max_tokens": first["max_tokens"],
        "thinking": first.get("thinking"),
        "tools": sorted(tool["name"] for tool in first.get("tools", [])),
        "results": results,
    }


async def test_settings_mean_the_same_in_the_server_and_the_cli(
    start_agent: StartAgent, tmp_path: Path
) -> None:
    h = await start_agent(
        BASH_THEN_BASH, extra_env={**SETTINGS, "LSP_AGENT_API_BASE_URL": "{fake}"}
    )
    (h.workspace / "hello.py").write_text(HELLO)
    uri = h.editor.open(h.workspace / "hello.py")
    server_result = await h.command("lspAgent.ask", {"uri": uri, "prompt": "run it", "wait": True})

    cli_fake = FakeAnthropic({"responses": BASH_THEN_BASH}, variables={"cwd": str(h.workspace)})
    async with cli_fake:
        env = {**cli_env(tmp_path, cli_fake), **SETTINGS}
        env["LSP_AGENT_API_BASE_URL"] = cli_fake.base_url
        done = await ask(env, "--cwd", str(h.workspace), "--output-format", "json", "run it")
    cli_result = json.loads(done.stdout)

    acp_fake = FakeAnthropic({"responses": BASH_THEN_BASH}, variables={"cwd": str(h.workspace)})
    async with acp_fake:
        env = {**cli_env(tmp_path / "acp", acp_fake), **SETTINGS}
        env["LSP_AGENT_API_BASE_URL"] = acp_fake.base_url
        client = await AcpClient.start(env)
        try:
            await client.initialize()
            session = await client.new_session(h.workspace)
            acp_answer = await client.prompt(session, "run it")
        finally:
            await client.close()

    server_run, cli_run, acp_run = seen(h.fake), seen(cli_fake), seen(acp_fake)
    assert server_run == cli_run == acp_run
    assert acp_answer["stopReason"] == "max_turn_requests"
    assert server_run["model"] == "claude-front-end-test" and server_run["max_tokens"] == 3000
    assert server_run["thinking"] == {"type": "enabled", "budget_tokens": 1024}
    assert server_run["requests"] == 2  # LSP_AGENT_MAX_TURNS
    assert all("plan mode" in str(result) for result in server_run["results"])
    assert server_result["subtype"] == cli_result["subtype"] == "error_max_turns"


async def test_every_event_kind_reaches_an_lsp_client(start_agent: StartAgent) -> None:
    hook = f'{sys.executable} -c "print(\'{{\\"systemMessage\\": \\"hook says hi\\"}}\')"'
    responses = [
        {"status": 529, "error": {"type": "overloaded_error", "message": "Overloaded"}},
        {
            "content": [
                {"type": "thinking", "thinking": "Read, run, then edit.", "signature": "sig-1"},
                {"type": "tool_use", "name": "Read", "input": {"file_path": "{cwd}/hello.py"}},
            ]
        },
        {"content": [{"type": "tool_use", "name": "Bash", "input": {"command": "echo hi"}}]},
        {
            "content": [
                {
                    "type": "tool_use",
                    "name": "Edit",
                    "input": {
                        "file_path": "{cwd}/hello.py",
                        "old_string": "hello",
                        "new_string": "hi",
                    },
                }
            ]
        },
        {"content": [{"type": "text", "text": "All done."}]},
    ]
    h = await start_agent(responses, init_options={"workspaceTrusted": True})
    settings = {"hooks": {"UserPromptSubmit": [{"hooks": [{"type": "command", "command": hook}]}]}}
    (h.workspace / ".claude").mkdir()
    (h.workspace / ".claude/settings.json").write_text(json.dumps(settings))
    h.editor.answer = lambda params: "Allow once"
    (h.workspace / "hello.py").write_text(HELLO)
    uri = h.editor.open(h.workspace / "hello.py")
    result = await h.command("lspAgent.ask", {"uri": uri, "prompt": "go"})
    done = await h.editor.done(result["sessionId"])
    assert done["subtype"] == "success"
    kinds = {event["kind"] for event in h.editor.stream}
    expected = {
        "session",
        "text",
        "thinking",
        "tool_use",
        "tool_result",
        "permission",
        "proposal",
        "usage",
        "retry",
        "hook",
        "done",
    }
    assert expected <= kinds, expected - kinds
    statuses = [e["status"] for e in h.editor.stream if e["kind"] == "proposal"]
    assert statuses == ["pending", "applied"]
    decisions = [e["decision"] for e in h.editor.stream if e["kind"] == "permission"]
    assert decisions == [None, "allow"]  # Bash asked and answered; Read and Edit not asked
