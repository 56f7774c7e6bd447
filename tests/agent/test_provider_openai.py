"""The loop end to end through the OpenAI-compatible provider, against a fake chat-completions
server in each dialect (OpenAI, Ollama, llama.cpp, a server that ignores `stream`): the same
scenarios as the Anthropic client's, real HTTP, real tools, a real workspace."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from lsp_agent import settings
from lsp_agent.agent.disk import DiskDocumentSource, DiskEditSink
from lsp_agent.agent.events import AgentEvent
from lsp_agent.agent.loop import Agent
from lsp_agent.agent.model.providers import make_client
from lsp_agent.agent.model.providers.openai_chat import OpenAIClient
from lsp_agent.agent.options import AgentOptions
from lsp_agent.agent.ports import CancelToken, CanUseTool
from lsp_agent.agent.tools.registry import default_tools
from lsp_agent.agent.transcript import resume_session
from lsp_agent.testing.fake_openai import DIALECTS, FakeOpenAI
from tests.agent.conftest import SCENARIOS, Run

KEY = "sk-proj-TEST-OPENAI-KEY-must-never-leak-0123456789"
STREAMING = [d for d in DIALECTS if d != "nostream"]


def openai_client(fake: FakeOpenAI, **values: Any) -> OpenAIClient:
    config, problems = settings.merge(
        [("test", {"provider": "openai", "openaiBaseUrl": fake.openai_url, **values})]
    )
    assert problems == []
    env = {"OPENAI_API_KEY": KEY, "LSP_AGENT_RETRY_BASE_DELAY": "0.001"}
    client = make_client(config, env)
    assert isinstance(client, OpenAIClient)
    return client


async def run_openai(
    name: str | dict[str, Any],
    workspace: Path,
    dialect: str,
    *,
    can_use_tool: CanUseTool | None = None,
    cancel: CancelToken | None = None,
    during: Callable[[FakeOpenAI], Awaitable[None]] | None = None,
    **options: Any,
) -> Run:
    scenario = SCENARIOS / f"{name}.json" if isinstance(name, str) else name
    fake = FakeOpenAI(scenario, variables={"cwd": str(workspace)}, dialect=dialect, api_key=KEY)
    async with fake:
        events: list[AgentEvent] = []
        agent = Agent(
            AgentOptions(cwd=workspace, model="qwen2.5-coder:7b", **options),
            tools=default_tools(),
            documents=DiskDocumentSource(),
            edits=DiskEditSink(),
            can_use_tool=can_use_tool,
            on_event=events.append,
            client=openai_client(fake),
        )
        side = asyncio.ensure_future(during(fake)) if during else None
        try:
            result = await agent.run("Please do the task.", cancel)
        finally:
            await agent.aclose()
            if side is not None:
                side.cancel()
    assert fake.violations == [], fake.violations
    return Run(result, fake, agent, events)


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_read_then_edit(workspace: Path, dialect: str) -> None:
    run = await run_openai("read_then_edit", workspace, dialect, permission_mode="acceptEdits")
    assert run.result.subtype == "success", run.result.result
    assert run.result.result == "I changed the greeting to 'hello, world'."
    assert (workspace / "hello.py").read_text() == "print('hello, world')\n"
    assert run.result.turns == 3
    assert [r["is_error"] for r in run.tool_results()] == [False, False]
    # Tool results went back as `tool` messages answering the calls, after the assistant's.
    last = run.fake.requests[-1].body["messages"]
    assert [m["role"] for m in last] == ["system", "user", "assistant", "tool", "assistant", "tool"]
    assert last[3]["tool_call_id"] == last[2]["tool_calls"][0]["id"]
    assert run.result.cost_usd == 0  # no price set: a local model is free
    if dialect == "llamacpp":
        assert run.result.usage["input_tokens"] == 0  # it sends no usage
    else:
        assert run.result.usage["cache_read_input_tokens"] == 2490
    assert run.fake.requests[0].headers["authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_edit_denied_headless_in_default_mode(workspace: Path, dialect: str) -> None:
    run = await run_openai("read_then_edit", workspace, dialect)
    edit_result = run.tool_results()[1]
    assert edit_result["is_error"] and "not granted" in edit_result["content"]
    assert (workspace / "hello.py").read_text() == "print('hello')\n"


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_parallel_read_only_tools(workspace: Path, dialect: str) -> None:
    (workspace / "a.txt").write_text("alpha\n")
    (workspace / "b.txt").write_text("beta\n")
    run = await run_openai("several_tools_one_turn", workspace, dialect)
    assert run.result.subtype == "success"
    second = run.fake.requests[1].body["messages"]
    assert [len(m.get("tool_calls") or []) for m in second] == [0, 0, 3, 0, 0, 0]
    tool_messages = [m for m in second if m["role"] == "tool"]
    assert "alpha" in tool_messages[0]["content"] and "beta" in tool_messages[1]["content"]
    assert run.fake.requests[0].body["parallel_tool_calls"] is True
    if dialect != "nostream":  # reasoning_content streamed as thinking
        assert "".join(e["text"] for e in run.kinds("thinking")).startswith("I should look")


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_failures_are_retried(workspace: Path, dialect: str) -> None:
    run = await run_openai("retries", workspace, dialect)
    assert run.result.subtype == "success"
    assert run.result.result == "Recovered after four failures."
    retries = run.kinds("retry")
    assert len(retries) == 4
    assert retries[0]["delay"] == 0.05  # retry-after honoured
    assert "rate" in retries[0]["error"].lower()


@pytest.mark.parametrize("dialect", STREAMING)
async def test_cancellation_mid_stream(workspace: Path, dialect: str) -> None:
    cancel = CancelToken()

    async def cancel_when_held(fake: FakeOpenAI) -> None:
        await fake.held.wait()
        cancel.cancel("user pressed stop")

    run = await run_openai(
        "hold_mid_stream", workspace, dialect, cancel=cancel, during=cancel_when_held
    )
    assert run.result.result == "cancelled: user pressed stop"
    _, messages = resume_session(run.result.session_id)
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]


@pytest.mark.parametrize("dialect", STREAMING)
async def test_tool_input_cut_by_length_re_asks(workspace: Path, dialect: str) -> None:
    run = await run_openai(
        "max_tokens_tool_input", workspace, dialect, permission_mode="acceptEdits"
    )
    assert run.result.subtype == "success"
    assert (workspace / "new.py").read_text() == "def f():\n    return 1\n"


async def test_a_model_without_tools_is_a_clear_error(workspace: Path) -> None:
    scenario = {
        "responses": [
            {
                "status": 400,
                "error": {"message": "registry.ollama.ai/library/gemma2:2b does not support tools"},
            }
        ]
    }
    run = await run_openai(scenario, workspace, "ollama")
    assert run.result.subtype == "error_during_execution"
    assert "cannot call tools" in run.result.result
    assert len(run.fake.requests) == 1


async def test_auth_error_names_the_variable_and_hides_the_key(
    workspace: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    scenario = {"responses": [{"status": 401, "error": {"message": f"bad key {KEY}"}}]}
    run = await run_openai(scenario, workspace, "openai")
    assert "OPENAI_API_KEY" in run.result.result
    assert KEY not in run.result.result + caplog.text + json.dumps([e.data for e in run.events])
    _, messages = resume_session(run.result.session_id)
    assert KEY not in json.dumps(messages)


async def test_context_window_and_price_from_settings(workspace: Path) -> None:
    async with FakeOpenAI({"responses": []}) as fake:
        client = openai_client(fake, contextWindow=8192, inputPricePerMtok=1.0)
        assert client.context_window("llama3.1:8b") == 8192
        assert client.cost_usd("x", {"input_tokens": 1_000_000}) == 1.0
        default = openai_client(fake)
        assert default.context_window("gpt-4o-mini") == 128_000
        assert default.context_window("llama3.1:8b") == 32_768
        await client.aclose()
        await default.aclose()


async def test_small_window_triggers_compaction(workspace: Path) -> None:
    # The first answer (1200 prompt + 40 output tokens) fills 80% of a 1500-token window.
    scenario = json.loads((SCENARIOS / "read_then_edit.json").read_text())
    summary = {"content": [{"type": "text", "text": "<summary>read hello.py</summary>"}]}
    scenario["responses"].insert(1, summary)
    for later in scenario["responses"][2:]:
        later["usage"] = {"input_tokens": 100, "output_tokens": 10}
    fake = FakeOpenAI(scenario, variables={"cwd": str(workspace)}, api_key=KEY)
    async with fake:
        agent = Agent(
            AgentOptions(cwd=workspace, model="local", permission_mode="acceptEdits"),
            tools=default_tools(),
            documents=DiskDocumentSource(),
            edits=DiskEditSink(),
            client=openai_client(fake, contextWindow=1500),
        )
        result = await agent.run("Please do the task.")
        await agent.aclose()
    assert fake.violations == []
    assert result.subtype == "success", result.result
    assert len(fake.requests) == 4  # the summary request came between the turns
    assert "summary" in json.dumps(fake.requests[1].body["messages"][-1]).lower()


async def test_lsp_agent_ask_with_the_openai_provider(workspace: Path, tmp_path: Path) -> None:
    from tests.agent.test_cli_ask import ask
    from tests.conftest import isolated_env

    fake = FakeOpenAI(
        SCENARIOS / "read_then_edit.json", variables={"cwd": str(workspace)}, api_key=KEY
    )
    async with fake:
        env = isolated_env(tmp_path / "env")
        env.update(
            LSP_AGENT_PROVIDER="openai",
            LSP_AGENT_MODEL="qwen2.5-coder:7b",
            OPENAI_BASE_URL=fake.openai_url,
            OPENAI_API_KEY=KEY,
        )
        done = await ask(env, "--cwd", str(workspace), "--permission-mode", "acceptEdits", "fix")
    assert done.code == 0, done.stderr
    assert done.stdout.endswith("I changed the greeting to 'hello, world'.\n")
    assert (workspace / "hello.py").read_text() == "print('hello, world')\n"
    assert fake.violations == []
    assert fake.requests[0].body["model"] == "qwen2.5-coder:7b"
    sessions = (Path(env["LSP_AGENT_DATA_DIR"]) / "sessions").glob("*.jsonl")
    assert KEY not in "".join(p.read_text() for p in sessions) + done.stdout + done.stderr


async def test_claude_model_names_become_the_configured_model() -> None:
    async with FakeOpenAI({"responses": []}) as fake:
        client = openai_client(fake, model="llama3.1:8b")
        request = {"model": "claude-haiku-4-5", "max_tokens": 10, "messages": []}
        _, body, _ = await client.prepare(request)  # a subagent's `model: haiku`
        assert isinstance(body, dict) and body["model"] == "llama3.1:8b"
        _, body, _ = await client.prepare({**request, "model": "qwen3:8b"})
        assert isinstance(body, dict) and body["model"] == "qwen3:8b"
        await client.aclose()
