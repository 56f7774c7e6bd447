"""The model client against the fake API: statuses, retries, timeouts, credentials, caching."""

from __future__ import annotations

import socket
from typing import Any

import httpx
import pytest

from lsp_agent.agent.model.client import (
    ClientConfig,
    ModelClient,
    RetryPolicy,
    _retry_after,
    with_cache_breakpoints,
)
from lsp_agent.agent.model.errors import APIError
from lsp_agent.agent.ports import CancelToken
from lsp_agent.testing.api_rules import check_request
from lsp_agent.testing.fake_anthropic import FakeAnthropic
from tests.agent.conftest import API_KEY

ANSWER = {"content": [{"type": "text", "text": "ok"}]}


def request(**extra: Any) -> dict[str, Any]:
    return {
        "model": "claude-sonnet-4-5",
        "max_tokens": 64,
        "messages": [{"role": "user", "content": "hi"}],
        **extra,
    }


async def stream(fake: FakeAnthropic, **config: Any) -> tuple[Any, list[str]]:
    retries: list[str] = []
    policy = RetryPolicy(base_delay=0.001, max_retries=config.pop("max_retries", 4))
    client = ModelClient(
        ClientConfig(base_url=fake.base_url, api_key=API_KEY, retry=policy, **config)
    )
    try:
        snapshot = await client.stream(
            request(), cancel=CancelToken(), on_retry=lambda a, d, e, m: retries.append(e.message)
        )
    finally:
        await client.aclose()
    return snapshot, retries


@pytest.mark.parametrize(
    ("status", "error_type", "hint"),
    [
        (400, "invalid_request_error", "invalid"),
        (403, "permission_error", "permission"),
        (404, "not_found_error", "model name"),
        (413, "request_too_large", "too large"),
    ],
)
async def test_client_errors_fail_at_once(status: int, error_type: str, hint: str) -> None:
    scenario = {
        "responses": [{"status": status, "error": {"type": error_type, "message": "no"}}, ANSWER]
    }
    async with FakeAnthropic(scenario) as fake:
        with pytest.raises(APIError) as caught:
            await stream(fake)
    assert hint in caught.value.message
    assert len(fake.requests) == 1


async def test_server_errors_retry_until_attempts_run_out() -> None:
    failure = {"status": 500, "error": {"type": "api_error", "message": "boom"}}
    async with FakeAnthropic({"responses": [failure] * 3}) as fake:
        with pytest.raises(APIError) as caught:
            await stream(fake, max_retries=2)
    assert "boom" in caught.value.message
    assert len(fake.requests) == 3


async def test_stalled_stream_times_out_and_is_retried() -> None:
    stalled = {**ANSWER, "fail": {"after": 3, "mode": "stall"}}
    async with FakeAnthropic({"responses": [stalled, ANSWER]}) as fake:
        snapshot, retries = await stream(fake, stall_timeout=0.2)
    assert snapshot.text == "ok"
    assert len(retries) == 1 and "timed out" in retries[0]


async def test_connection_refused_is_retried_then_reported() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    policy = RetryPolicy(base_delay=0.001, max_retries=1)
    config = ClientConfig(base_url=f"http://127.0.0.1:{port}", api_key=API_KEY, retry=policy)
    client = ModelClient(config)
    with pytest.raises(APIError) as caught:
        await client.stream(request(), cancel=CancelToken())
    await client.aclose()
    assert "connection" in caught.value.message
    assert API_KEY not in caught.value.message


def test_credentials_from_env() -> None:
    bearer = ClientConfig.from_env(
        {"ANTHROPIC_AUTH_TOKEN": "tok", "ANTHROPIC_BASE_URL": "http://x/"}
    )
    assert bearer.headers()["authorization"] == "Bearer tok"
    assert bearer.base_url == "http://x"
    keyed = ClientConfig.from_env({"ANTHROPIC_API_KEY": API_KEY})
    assert keyed.headers()["x-api-key"] == API_KEY
    assert API_KEY not in repr(keyed)
    with pytest.raises(APIError, match="ANTHROPIC_API_KEY"):
        ClientConfig.from_env({}).headers()


def test_bad_tuning_values_fall_back_to_defaults() -> None:
    config = ClientConfig.from_env(
        {"LSP_AGENT_STALL_TIMEOUT": "soon", "LSP_AGENT_MAX_RETRIES": "-1"}
    )
    assert config.stall_timeout == ClientConfig.stall_timeout
    assert config.retry.max_retries == RetryPolicy.max_retries


def test_retry_after_forms() -> None:
    assert _retry_after(httpx.Headers({"retry-after": "3"})) == 3.0
    assert _retry_after(httpx.Headers({"retry-after-ms": "250"})) == 0.25
    assert _retry_after(httpx.Headers({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"})) == 0.0
    assert _retry_after(httpx.Headers({})) is None


def test_cache_breakpoints_stay_within_four_on_a_long_conversation() -> None:
    messages: list[dict[str, Any]] = [{"role": "user", "content": "start"}]
    for i in range(10):
        messages.append({"role": "assistant", "content": [{"type": "text", "text": f"a{i}"}]})
        messages.append({"role": "user", "content": [{"type": "text", "text": f"u{i}"}]})
    body = with_cache_breakpoints(
        request(
            messages=messages,
            system=[{"type": "text", "text": "sys"}],
            tools=[{"name": "Read", "description": "", "input_schema": {"type": "object"}}],
            stream=True,
        )
    )
    headers = {
        "anthropic-version": "2023-06-01",
        "content-type": "application/json",
        "x-api-key": "k",
    }
    assert check_request(headers, body, set(), {}) == []
    assert "cache_control" in body["tools"][-1] and "cache_control" in body["system"][-1]
    assert "cache_control" in body["messages"][-1]["content"][-1]
    assert "cache_control" in body["messages"][-3]["content"][-1]
    # The caller's history is not touched: marks move with the tail on the next turn.
    assert "cache_control" not in str(messages)


@pytest.mark.parametrize(
    ("model", "sent", "beta"),
    [
        ("claude-sonnet-4-5[1m]", "claude-sonnet-4-5", "context-1m-2025-08-07"),
        ("claude-sonnet-5[1m]", "claude-sonnet-5", None),  # a 1M window of its own
        ("claude-opus-5", "claude-opus-5", None),
    ],
)
async def test_a_1m_model_name_is_sent_as_the_api_takes_it(
    model: str, sent: str, beta: str | None
) -> None:
    """`sonnet[1m]` is Claude Code's way to ask for the long window: no provider knows an id
    with the suffix; older models take the beta header instead."""
    async with FakeAnthropic({"responses": [ANSWER]}) as fake:
        client = ModelClient(ClientConfig(base_url=fake.base_url, api_key=API_KEY))
        try:
            await client.stream(request(model=model), cancel=CancelToken())
        finally:
            await client.aclose()
    [sent_request] = fake.requests
    assert sent_request.body["model"] == sent
    assert "anthropic_beta" not in sent_request.body
    assert sent_request.headers.get("anthropic-beta") == beta
    assert fake.violations == []
