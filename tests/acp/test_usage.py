"""Usage over ACP: a `usage_update` after each model response (context used against the
model's window, the session's cost so far) and the turn's own tokens in the prompt's answer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lsp_agent.testing.fake_anthropic import FakeAnthropic
from tests.acp.client import AcpClient
from tests.acp.conftest import Start


def assert_usage_of_read_then_edit(client: AcpClient, answer: dict[str, Any]) -> None:
    """A `usage_update` after each of the scenario's three responses, the turn's tokens in
    the answer, which comes after them."""
    updates = client.kinds("usage_update")
    # Each response's request and answer: 1200+40, then 30+60+1200 cached, then 20+12+1290,
    # against the default model's window (Opus 5: 1M tokens).
    assert [(u["used"], u["size"]) for u in updates] == [
        (1240, 1_000_000),
        (1290, 1_000_000),
        (1322, 1_000_000),
    ]
    costs = [u["cost"]["amount"] for u in updates]
    assert {u["cost"]["currency"] for u in updates} == {"USD"}
    assert 0 < costs[0] < costs[1] < costs[2]  # cumulative for the session
    # The answer comes after the last update, and carries the turn's tokens.
    assert client.raw.index(_answer(client.raw, "stopReason")) > max(
        i for i, m in enumerate(client.raw) if _is_usage_update(m)
    )
    assert answer["usage"] == {
        "inputTokens": 1200 + 30 + 1200 + 20 + 1290,
        "outputTokens": 112,
        "totalTokens": 3740 + 112,
        "cachedReadTokens": 2490,
        "cachedWriteTokens": 0,
    }


async def test_each_answer_carries_its_own_turn(start: Start, workspace: Path) -> None:
    answers = [
        {
            "content": [{"type": "text", "text": word}],
            "usage": {"input_tokens": n, "output_tokens": 5},
        }
        for word, n in (("one", 100), ("two", 300))
    ]
    async with FakeAnthropic({"responses": answers}) as server:
        client = await start(server)
        session = await client.new_session(workspace)
        first = await client.prompt(session, "count")
        second = await client.prompt(session, "again")
    assert (first["usage"]["inputTokens"], second["usage"]["inputTokens"]) == (100, 300)
    assert [u["used"] for u in client.kinds("usage_update")] == [105, 305]


def _is_usage_update(message: dict[str, Any]) -> bool:
    update = message.get("params", {}).get("update", {})
    return bool(update.get("sessionUpdate") == "usage_update")


def _answer(raw: list[dict[str, Any]], key: str) -> dict[str, Any]:
    return next(m for m in raw if key in m.get("result", {}))
