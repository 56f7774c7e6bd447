"""Which provider the settings and Claude Code's variables choose, and the Claude providers
(Foundry, Vertex) running the loop scenarios against fakes of their endpoints."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from lsp_agent import settings
from lsp_agent.agent.disk import DiskDocumentSource, DiskEditSink
from lsp_agent.agent.events import AgentEvent
from lsp_agent.agent.loop import Agent
from lsp_agent.agent.model.client import ModelClient
from lsp_agent.agent.model.providers import Provider, choose, make_client
from lsp_agent.agent.model.providers.bedrock import BedrockClient, bedrock_model
from lsp_agent.agent.model.providers.vertex import VertexClient, vertex_model
from lsp_agent.agent.options import AgentOptions
from lsp_agent.agent.ports import CancelToken
from lsp_agent.agent.tools.registry import default_tools
from lsp_agent.testing.fake_anthropic import FakeAnthropic
from lsp_agent.testing.fake_bedrock import FakeBedrock
from lsp_agent.testing.fake_vertex import FakeVertex
from tests.agent.conftest import SCENARIOS, Run

FOUNDRY_KEY = "foundry-TEST-KEY-must-never-leak-0123456789abcdef"
VERTEX_TOKEN = "ya29.TEST-TOKEN-must-never-leak-0123456789"
AWS = (
    "AKIATESTKEY0123456789",
    "aws-SECRET-must-never-leak-0123456789abcdef",
    "aws-SESSION-TOKEN-never-leaks",
)


def config(**values: Any) -> settings.Settings:
    merged, problems = settings.merge([("test", values)])
    assert problems == []
    return merged


def check(environ: Mapping[str, str], expected: Provider, **values: Any) -> None:
    assert choose(config(**values), environ) == expected


def test_default_is_anthropic() -> None:
    check(
        {"ANTHROPIC_API_KEY": "k"},
        Provider("anthropic", "default", "https://api.anthropic.com", ("ANTHROPIC_API_KEY",)),
    )
    check(
        {"ANTHROPIC_BASE_URL": "http://gw/"},
        Provider(
            "anthropic",
            "default",
            "http://gw",
            (),
            "set ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN)",
        ),
    )


def test_claude_code_variables_choose_vertex_and_foundry() -> None:
    check(
        {
            "CLAUDE_CODE_USE_VERTEX": "1",
            "ANTHROPIC_VERTEX_PROJECT_ID": "p",
            "CLOUD_ML_REGION": "europe-west1",
        },
        Provider(
            "vertex",
            "CLAUDE_CODE_USE_VERTEX",
            "https://europe-west1-aiplatform.googleapis.com/v1/projects/p/locations/europe-west1",
            ("google default credentials",),
        ),
    )
    check(
        {
            "CLAUDE_CODE_USE_VERTEX": "1",
            "ANTHROPIC_VERTEX_PROJECT_ID": "p",
            "CLOUD_ML_REGION": "global",
        },
        Provider(
            "vertex",
            "CLAUDE_CODE_USE_VERTEX",
            "https://aiplatform.googleapis.com/v1/projects/p/locations/global",
            ("google default credentials",),
        ),
    )
    check(
        {
            "CLAUDE_CODE_USE_FOUNDRY": "true",
            "ANTHROPIC_FOUNDRY_RESOURCE": "acme",
            "ANTHROPIC_FOUNDRY_API_KEY": "x",
        },
        Provider(
            "foundry",
            "CLAUDE_CODE_USE_FOUNDRY",
            "https://acme.services.ai.azure.com/anthropic",
            ("ANTHROPIC_FOUNDRY_API_KEY",),
        ),
    )


def test_skip_auth_sends_the_gateway_token() -> None:
    check(
        {
            "CLAUDE_CODE_USE_FOUNDRY": "1",
            "ANTHROPIC_FOUNDRY_BASE_URL": "https://gw/foundry",
            "CLAUDE_CODE_SKIP_FOUNDRY_AUTH": "1",
            "ANTHROPIC_AUTH_TOKEN": "t",
        },
        Provider(
            "foundry", "CLAUDE_CODE_USE_FOUNDRY", "https://gw/foundry", ("ANTHROPIC_AUTH_TOKEN",)
        ),
    )


def test_the_setting_wins_over_the_variables() -> None:
    environ = {"CLAUDE_CODE_USE_VERTEX": "1", "OPENAI_BASE_URL": "http://localhost:11434/v1"}
    check(
        environ,
        Provider("openai", "setting provider", "http://localhost:11434/v1", ()),
        provider="openai",
    )


def test_claude_code_variables_choose_bedrock() -> None:
    check(
        {"CLAUDE_CODE_USE_BEDROCK": "1", "AWS_REGION": "eu-west-1", "AWS_PROFILE": "dev"},
        Provider(
            "bedrock",
            "CLAUDE_CODE_USE_BEDROCK",
            "https://bedrock-runtime.eu-west-1.amazonaws.com",
            ("AWS_PROFILE",),
        ),
    )
    check(
        {"CLAUDE_CODE_USE_BEDROCK": "1", "AWS_BEARER_TOKEN_BEDROCK": "t"},
        Provider(
            "bedrock",
            "CLAUDE_CODE_USE_BEDROCK",
            "https://bedrock-runtime.us-east-1.amazonaws.com",
            ("AWS_BEARER_TOKEN_BEDROCK",),
        ),
    )


async def test_an_unusable_provider_fails_the_run_with_what_to_set(workspace: Path) -> None:
    for environ, needle in [
        ({"CLAUDE_CODE_USE_VERTEX": "1"}, "ANTHROPIC_VERTEX_PROJECT_ID"),
        ({"CLAUDE_CODE_USE_FOUNDRY": "1"}, "ANTHROPIC_FOUNDRY_RESOURCE"),
    ]:
        agent = _agent(workspace, make_client(config(), environ), [])
        result = await agent.run("hi")
        await agent.aclose()
        assert result.subtype == "error_during_execution"
        assert needle in result.result


def test_bedrock_model_ids() -> None:
    assert bedrock_model("claude-sonnet-4-5", "us-west-2") == (
        "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
    )
    assert bedrock_model("claude-haiku-4-5", "eu-central-1").startswith("eu.anthropic.")
    # From the 4.6 generation on, Bedrock's ids are dateless (Opus 4.6 the last with -v1).
    assert bedrock_model("claude-opus-5", "us-east-1") == "us.anthropic.claude-opus-5"
    assert bedrock_model("claude-sonnet-5", "eu-west-1") == "eu.anthropic.claude-sonnet-5"
    assert bedrock_model("claude-opus-4-6", "us-east-1") == "us.anthropic.claude-opus-4-6-v1"
    assert bedrock_model("claude-sonnet-4-20250514", "ap-northeast-1") == (
        "apac.anthropic.claude-sonnet-4-20250514-v1:0"
    )
    arn = "arn:aws:bedrock:us-east-1:123:inference-profile/x"
    assert bedrock_model(arn, "us-east-1") == arn


def test_vertex_model_ids() -> None:
    assert vertex_model("claude-sonnet-4-5") == "claude-sonnet-4-5@20250929"
    assert vertex_model("claude-opus-5") == "claude-opus-5"  # dateless: Vertex's id as well
    assert vertex_model("claude-sonnet-4-5-20250929") == "claude-sonnet-4-5@20250929"
    assert vertex_model("claude-opus-4-1@20250805") == "claude-opus-4-1@20250805"


def _agent(workspace: Path, client: ModelClient, events: list[AgentEvent], **options: Any) -> Agent:
    return Agent(
        AgentOptions(cwd=workspace, **options),
        tools=default_tools(),
        documents=DiskDocumentSource(),
        edits=DiskEditSink(),
        on_event=events.append,
        client=client,
    )


def _fake(provider: str, name: str | dict[str, Any], workspace: Path) -> FakeAnthropic:
    scenario = SCENARIOS / f"{name}.json" if isinstance(name, str) else name
    variables = {"cwd": str(workspace)}
    if provider == "vertex":
        return FakeVertex(scenario, variables=variables, token=VERTEX_TOKEN)
    if provider == "bedrock":
        return FakeBedrock(scenario, variables=variables, credentials=AWS)
    return FakeAnthropic(scenario, variables=variables)


def _environ(provider: str, fake: FakeAnthropic) -> dict[str, str]:
    base = {"LSP_AGENT_RETRY_BASE_DELAY": "0.001", "ANTHROPIC_API_KEY": "not-for-the-cloud"}
    if provider == "vertex":
        # A gateway in front of Vertex: Claude Code's skip-auth with a bearer token.
        return {
            **base,
            "CLAUDE_CODE_USE_VERTEX": "1",
            "CLOUD_ML_REGION": "us-east5",
            "ANTHROPIC_VERTEX_PROJECT_ID": "my-project",
            "ANTHROPIC_VERTEX_BASE_URL": f"{fake.base_url}/v1",
            "CLAUDE_CODE_SKIP_VERTEX_AUTH": "1",
            "ANTHROPIC_AUTH_TOKEN": VERTEX_TOKEN,
        }
    if provider == "bedrock":  # SigV4 with the credentials the fake checks the signature with
        return {
            **base,
            "CLAUDE_CODE_USE_BEDROCK": "1",
            "AWS_REGION": "us-west-2",
            "ANTHROPIC_BEDROCK_BASE_URL": fake.base_url,
            "AWS_ACCESS_KEY_ID": AWS[0],
            "AWS_SECRET_ACCESS_KEY": AWS[1],
            "AWS_SESSION_TOKEN": AWS[2],
        }
    foundry = {**base, "CLAUDE_CODE_USE_FOUNDRY": "1", "ANTHROPIC_FOUNDRY_BASE_URL": fake.base_url}
    if provider == "foundry-entra":  # no key: Azure's credential chain (test_provider_foundry)
        return foundry
    return {**foundry, "ANTHROPIC_FOUNDRY_API_KEY": FOUNDRY_KEY}


async def run_cloud(
    provider: str,
    name: str | dict[str, Any],
    workspace: Path,
    *,
    cancel: CancelToken | None = None,
    **options: Any,
) -> Run:
    async with _fake(provider, name, workspace) as fake:
        events: list[AgentEvent] = []
        agent = _agent(
            workspace, make_client(config(), _environ(provider, fake)), events, **options
        )
        side = None
        if cancel is not None:

            async def cancel_when_held() -> None:
                await fake.held.wait()
                cancel.cancel("user pressed stop")

            side = asyncio.ensure_future(cancel_when_held())
        try:
            result = await agent.run("Please do the task.", cancel)
        finally:
            await agent.aclose()
            if side is not None:
                side.cancel()
    assert fake.violations == [], fake.violations
    return Run(result, fake, agent, events)


CLOUDS = ["vertex", "foundry", "bedrock"]


@pytest.mark.parametrize("provider", CLOUDS)
async def test_read_then_edit(workspace: Path, provider: str) -> None:
    run = await run_cloud(provider, "read_then_edit", workspace, permission_mode="acceptEdits")
    assert run.result.subtype == "success", run.result.result
    assert (workspace / "hello.py").read_text() == "print('hello, world')\n"
    assert run.result.cost_usd > 0  # Claude's price table
    headers = run.fake.requests[0].headers
    if provider == "vertex":
        assert isinstance(run.agent.client, VertexClient)
        assert run.fake.calls[0] == {  # type: ignore[attr-defined]
            "project": "my-project",
            "region": "us-east5",
            "model": "claude-opus-5",  # the default model: dateless ids are Vertex's too
        }
    elif provider == "bedrock":
        assert isinstance(run.agent.client, BedrockClient)
        models = run.fake.models  # type: ignore[attr-defined]
        assert models[0] == "us.anthropic.claude-opus-5"
        assert headers["x-amz-security-token"] == AWS[2]
    else:
        assert headers["x-api-key"] == FOUNDRY_KEY


@pytest.mark.parametrize("provider", CLOUDS)
async def test_permission_denied_and_parallel_tools(workspace: Path, provider: str) -> None:
    run = await run_cloud(provider, "read_then_edit", workspace)
    assert run.tool_results()[1]["is_error"]
    (workspace / "a.txt").write_text("alpha\n")
    (workspace / "b.txt").write_text("beta\n")
    run = await run_cloud(provider, "several_tools_one_turn", workspace, thinking_budget=2048)
    assert run.result.subtype == "success"


@pytest.mark.parametrize("provider", CLOUDS)
async def test_retries_and_cancel(workspace: Path, provider: str) -> None:
    run = await run_cloud(provider, "retries", workspace)
    assert run.result.result == "Recovered after four failures."
    run = await run_cloud(provider, "hold_mid_stream", workspace, cancel=CancelToken())
    assert run.result.result == "cancelled: user pressed stop"


@pytest.mark.parametrize("provider", CLOUDS)
async def test_auth_error_names_the_provider_variable(
    workspace: Path, provider: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    scenario = {"responses": [{"status": 401, "error": {"type": "authentication_error"}}]}
    run = await run_cloud(provider, scenario, workspace)
    expected = {
        "vertex": "ANTHROPIC_AUTH_TOKEN",
        "foundry": "ANTHROPIC_FOUNDRY_API_KEY",
        "bedrock": "AWS_BEARER_TOKEN_BEDROCK",
    }[provider]
    assert expected in run.result.result
    seen = run.result.result + caplog.text + json.dumps([e.data for e in run.events])
    for secret in (FOUNDRY_KEY, VERTEX_TOKEN, AWS[1], AWS[2]):
        assert secret not in seen


def test_the_default_provider_imports_no_other_provider(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = """
import sys
from pathlib import Path
from lsp_agent import settings
from lsp_agent.agent.assembly import Host, build_agent
from lsp_agent.agent.disk import DiskDocumentSource, DiskEditSink
host = Host(DiskDocumentSource(), DiskEditSink(), environ={"ANTHROPIC_API_KEY": "k"})
build_agent(settings.Settings(), host, cwd=Path.cwd(), trusted=True)
names = ("openai", "vertex", "bedrock", "foundry", "botocore", "google", "azure", "msal")
print(sorted(m for m in sys.modules if any(name in m for name in names)))
"""
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


async def test_bedrock_bearer_token_and_a_corrupt_frame(workspace: Path) -> None:
    from lsp_agent.testing.fake_bedrock import chunk_frame

    token = "bedrock-api-key-TEST-never-leaks"
    scenario = SCENARIOS / "read_then_edit.json"
    fake = FakeBedrock(scenario, variables={"cwd": str(workspace)}, token=token)
    async with fake:
        environ = {
            "CLAUDE_CODE_USE_BEDROCK": "1",
            "ANTHROPIC_BEDROCK_BASE_URL": fake.base_url,
            "AWS_BEARER_TOKEN_BEDROCK": token,
        }
        agent = _agent(workspace, make_client(config(), environ), [], permission_mode="acceptEdits")
        result = await agent.run("go")
        await agent.aclose()
    assert fake.violations == []
    assert result.subtype == "success", result.result
    # A frame whose checksum does not match counts as a broken connection (retried).
    import httpx

    from lsp_agent.agent.model.errors import ConnectionDropped

    good = chunk_frame({"type": "ping"})
    bad = good[:-1] + bytes([good[-1] ^ 1])
    client = make_client(config(), environ)
    assert isinstance(client, BedrockClient)
    with pytest.raises(ConnectionDropped):
        await client.read(httpx.Response(200, content=bad), CancelToken(), None)


async def test_bedrock_fake_rejects_a_wrong_signature(workspace: Path) -> None:
    scenario = {"responses": [{"content": [{"type": "text", "text": "never sent"}]}]}
    wrong = (AWS[0], "a-different-secret", AWS[2])
    async with FakeBedrock(scenario, credentials=wrong) as fake:
        agent = _agent(workspace, make_client(config(), _environ("bedrock", fake)), [])
        result = await agent.run("go")
        await agent.aclose()
    assert result.is_error
    assert fake.violations == ["SigV4 signature does not match the request"]


def test_cloud_model_ids_price_like_their_family() -> None:
    from lsp_agent.agent.model.pricing import PRICES, price_of

    sonnet = PRICES["claude-sonnet-4-5"]
    for model in (
        "claude-sonnet-4-5@20250929",
        "anthropic.claude-sonnet-4-5-20250929-v1:0",
        "eu.anthropic.claude-sonnet-4-5-20250929-v1:0",
    ):
        assert price_of(model) == sonnet, model


@pytest.mark.parametrize("provider", CLOUDS)
async def test_a_1m_model_asks_each_cloud_for_the_long_window(
    workspace: Path, provider: str
) -> None:
    """`claude-sonnet-4-5[1m]`: the model without the suffix, and the 1M-context beta where
    the provider takes betas (Bedrock and Vertex: the body's `anthropic_beta`; Foundry: the
    `anthropic-beta` header, as Anthropic's API)."""
    scenario = {"responses": [{"content": [{"type": "text", "text": "ok"}]}]}
    run = await run_cloud(provider, scenario, workspace, model="claude-sonnet-4-5[1m]")
    assert run.result.subtype == "success", run.result.result
    [sent] = run.fake.requests
    beta = "context-1m-2025-08-07"
    if provider == "foundry":
        assert sent.headers["anthropic-beta"] == beta
        assert sent.body["model"] == "claude-sonnet-4-5"
    else:
        assert sent.body["anthropic_beta"] == [beta]
        assert "[1m]" not in json.dumps(run.fake.calls if provider == "vertex" else run.fake.models)  # type: ignore[attr-defined]
