"""Compaction: the threshold, the summary request sent to the (fake) model, the new history."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import pytest

from lsp_agent.agent.claude.hooks import HookRunner
from lsp_agent.agent.claude.hooks_config import parse_hooks
from lsp_agent.agent.model.client import ClientConfig, ModelClient, RetryPolicy
from lsp_agent.agent.ports import CancelToken
from lsp_agent.agent.prompt.compaction import (
    CONTINUATION,
    RESUME_WORK,
    compact,
    messages_after_boundary,
    render,
    should_compact,
)
from lsp_agent.testing.fake_anthropic import FakeAnthropic

HISTORY: list[dict[str, Any]] = [
    {"role": "user", "content": "Rename foo to bar in util.py"},
    {
        "role": "assistant",
        "content": [
            {"type": "thinking", "thinking": "private", "signature": "sig"},
            {"type": "text", "text": "Reading it."},
            {"type": "tool_use", "id": "t1", "name": "Read", "input": {"file_path": "/w/u.py"}},
        ],
    },
    {
        "role": "user",
        "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "y" * 3000}],
    },
    {"role": "assistant", "content": [{"type": "text", "text": "Done: foo is now bar."}]},
]


@pytest.mark.parametrize(
    ("usage", "model", "expected"),
    [
        ({"input_tokens": 100_000, "output_tokens": 1000}, "claude-sonnet-4-5", False),
        ({"input_tokens": 10, "cache_read_input_tokens": 160_000}, "claude-sonnet-4-5", True),
        ({"input_tokens": 170_000}, "claude-sonnet-4-5[1m]", False),
    ],
)
def test_threshold(usage: dict[str, int], model: str, expected: bool) -> None:
    assert should_compact(usage, model) is expected


def test_threshold_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAUDE_AUTOCOMPACT_PCT_OVERRIDE", "50")
    assert should_compact({"input_tokens": 100_000}, "claude-sonnet-4-5")


def test_render() -> None:
    text = render(HISTORY)
    assert text.startswith("User: Rename foo to bar in util.py\n\nAssistant: Reading it.")
    assert 'Assistant: [called Read with {"file_path": "/w/u.py"}]' in text
    assert "[... 1000 chars cut]" in text
    assert "private" not in text


async def test_compact_against_the_model(project: Path, tmp_path: Path) -> None:
    marker = tmp_path / "precompact.json"
    hooks = parse_hooks(
        [
            (
                "t",
                {
                    "hooks": {
                        "PreCompact": [
                            {
                                "matcher": "manual",
                                "hooks": [
                                    {
                                        "type": "command",
                                        "command": f"cat > {shlex.quote(str(marker))}",
                                    }
                                ],
                            }
                        ]
                    }
                },
            )
        ]
    )
    scenario = {"responses": [{"content": [{"type": "text", "text": " The user renamed foo. "}]}]}
    async with FakeAnthropic(scenario) as fake:
        client = ModelClient(
            ClientConfig(
                base_url=fake.base_url, api_key="sk-test", retry=RetryPolicy(base_delay=0.001)
            )
        )

        async def query(request: dict[str, Any]) -> str:
            return (await client.stream(request, cancel=CancelToken())).text

        try:
            result = await compact(
                HISTORY,
                query=query,
                model="claude-sonnet-4-5",
                trigger="manual",
                instructions="keep the file names",
                hooks=HookRunner(hooks, project_dir=project),
                pre_tokens=1234,
            )
        finally:
            await client.aclose()
        assert fake.violations == []
        sent = fake.requests[0].body
    assert "tools" not in sent
    prompt = sent["messages"][0]["content"][0]["text"]
    assert prompt.startswith("<conversation>\nUser: Rename foo")
    assert prompt.endswith("Additional instructions from the user: keep the file names")
    assert result.summary == "The user renamed foo."
    assert result.messages == [
        {"role": "user", "content": [{"type": "text", "text": CONTINUATION + result.summary}]}
    ]
    assert result.boundary == {"type": "compact_boundary", "trigger": "manual", "pre_tokens": 1234}
    assert '"trigger": "manual"' in marker.read_text()


async def test_auto_compaction_asks_the_model_to_carry_on() -> None:
    async def query(request: dict[str, Any]) -> str:
        return "summary"

    result = await compact(HISTORY, query=query, model="m")
    assert result.messages[0]["content"][0]["text"] == CONTINUATION + "summary" + RESUME_WORK


def test_resume_starts_after_the_last_boundary() -> None:
    records = [
        {"type": "session"},
        {"type": "message", "message": HISTORY[0]},
        {"type": "compact_boundary", "trigger": "auto"},
        {"type": "message", "message": {"role": "user", "content": "summary"}},
        {"type": "message", "message": {"role": "assistant", "content": "ok"}},
    ]
    assert [m["content"] for m in messages_after_boundary(records)] == ["summary", "ok"]


def test_the_5_generation_has_a_1m_window_without_a_suffix() -> None:
    from lsp_agent.agent.prompt.compaction import context_window

    assert context_window("claude-opus-5") == 1_000_000
    assert context_window("us.anthropic.claude-sonnet-5") == 1_000_000
    assert context_window("claude-fable-5") == 1_000_000
    assert context_window("claude-sonnet-4-5") == 200_000
    assert context_window("claude-sonnet-4-5[1m]") == 1_000_000
