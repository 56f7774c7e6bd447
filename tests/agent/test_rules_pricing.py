"""The fake API's request rules (the guard every scenario test relies on) and the price table."""

from __future__ import annotations

from typing import Any

import pytest

from lsp_agent.agent.model.pricing import cost_usd, price_of
from lsp_agent.testing.api_rules import check_request

HEADERS = {"anthropic-version": "2023-06-01", "content-type": "application/json", "x-api-key": "k"}
USE = {"type": "tool_use", "id": "t1", "name": "Read", "input": {}}
RESULT = {"type": "tool_result", "tool_use_id": "t1", "content": "x"}


def body(*messages: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"model": "m", "max_tokens": 10, "stream": True, "messages": list(messages), **extra}


def user(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {"role": "user", "content": list(blocks)}


def assistant(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {"role": "assistant", "content": list(blocks)}


TEXT = {"type": "text", "text": "hi"}
MARK = {"cache_control": {"type": "ephemeral"}}


@pytest.mark.parametrize(
    ("request_body", "headers", "problem"),
    [
        (body(user(TEXT)), {**HEADERS, "anthropic-version": "2024-01-01"}, "anthropic-version"),
        (body(user(TEXT)), {k: v for k, v in HEADERS.items() if k != "x-api-key"}, "x-api-key"),
        (body(user(TEXT), user(TEXT)), HEADERS, "same role"),
        (body(assistant(TEXT)), HEADERS, "first message"),
        (body(user(TEXT), assistant(USE), user(TEXT)), HEADERS, "tool_result"),
        (body(user(TEXT), assistant(USE), user(TEXT, RESULT)), HEADERS, "must start"),
        (body(user(RESULT)), HEADERS, "unknown tool_use"),
        (body(user({"type": "text", "text": ""})), HEADERS, "empty text"),
        (body(user(TEXT), tools=[{"name": "bad name", "input_schema": {}}]), HEADERS, "tool name"),
        (body(user(*[{**TEXT, **MARK}] * 5)), HEADERS, "breakpoints"),
        (body(user(TEXT), thinking={"type": "enabled", "budget_tokens": 100}), HEADERS, "1024"),
        ({"model": "m", "messages": [user(TEXT)], "stream": True}, HEADERS, "max_tokens"),
    ],
)
def test_broken_requests_are_caught(
    request_body: dict[str, Any], headers: dict[str, str], problem: str
) -> None:
    problems = check_request(headers, request_body, {"t1"}, {})
    assert any(problem in p for p in problems), problems


def test_a_good_tool_round_trip_passes() -> None:
    thinking = {"type": "thinking", "thinking": "hmm", "signature": "s"}
    good = body(user(TEXT), assistant(thinking, USE), user(RESULT, TEXT))
    assert check_request(HEADERS, good, {"t1"}, {"s": "hmm"}) == []
    changed = body(user(TEXT), assistant({**thinking, "thinking": "edited"}, USE), user(RESULT))
    assert check_request(HEADERS, changed, {"t1"}, {"s": "hmm"}) != []


def test_prices() -> None:
    usage = {
        "input_tokens": 1_000_000,
        "output_tokens": 1_000_000,
        "cache_creation_input_tokens": 1_000_000,
        "cache_read_input_tokens": 1_000_000,
    }
    assert cost_usd("claude-sonnet-4-5-20250929", usage) == pytest.approx(3 + 15 + 3.75 + 0.30)
    assert price_of("claude-opus-4-1-20250805").output == 75.0
    assert price_of("claude-opus-4-5").output == 25.0  # longest prefix wins over claude-opus-4
    assert price_of("some-future-model").output == 75.0  # unknown: priced high, budgets stop early


def test_permission_modes_agree() -> None:
    from lsp_agent import cli_ask
    from lsp_agent.agent import options
    from lsp_agent.agent.permissions import rules as permissions

    assert cli_ask.PERMISSION_MODES == options.PERMISSION_MODES == permissions.MODES


def test_thinking_options_are_made_valid() -> None:
    from lsp_agent.agent.options import AgentOptions
    from lsp_agent.settings import Settings

    small = AgentOptions(thinking_budget=100, max_tokens=500)
    assert (small.thinking_budget, small.max_tokens) == (1024, 2048)
    # The one default for max_tokens is the settings' (it used to differ: 16000 here, 16384 there).
    assert AgentOptions(thinking_budget=4096).max_tokens == Settings().maxTokens == 16384
    assert AgentOptions().thinking_budget == 0


def test_the_2026_models_have_their_list_prices() -> None:
    """Claude's pricing page: Fable 5 $10/$50, Opus 5 $5/$25, Sonnet 5 $2/$10 per million
    (cache writes 1.25x input, reads 0.1x); a provider's spelling prices the same."""
    usage = {"input_tokens": 1_000_000, "output_tokens": 1_000_000}
    assert cost_usd("claude-fable-5", usage) == pytest.approx(60)
    assert cost_usd("claude-opus-5", usage) == pytest.approx(30)
    assert cost_usd("us.anthropic.claude-sonnet-5", usage) == pytest.approx(12)
    assert price_of("claude-sonnet-5").cache_read == pytest.approx(0.20)
    assert price_of("claude-opus-4-8").input == 5.0
