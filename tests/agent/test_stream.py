"""The stream reducer on recorded event lists (tests/agent/streams/*.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lsp_agent.agent.model.errors import StreamErrorEvent
from lsp_agent.agent.model.reducer import MessageSnapshot, accumulate

STREAMS = Path(__file__).parent / "streams"


def reduce(events: list[dict]) -> MessageSnapshot:
    snapshot = MessageSnapshot()
    for event in events:
        snapshot = accumulate(event, snapshot)
    return snapshot


def check(name: str) -> None:
    recorded = json.loads((STREAMS / name).read_text())
    if "raises" in recorded:
        with pytest.raises(StreamErrorEvent) as caught:
            reduce(recorded["events"])
        assert caught.value.error_type == recorded["raises"]["error_type"]
        assert caught.value.retryable is recorded["raises"]["retryable"]
        return
    snapshot = reduce(recorded["events"])
    expected = recorded["expected"]
    actual = {
        "id": snapshot.id,
        "content": snapshot.content,
        "stop_reason": snapshot.stop_reason,
        "usage": snapshot.usage,
        "truncated": sorted(snapshot.truncated),
        "done": snapshot.done,
    }
    assert actual == expected


@pytest.mark.parametrize("name", sorted(p.name for p in STREAMS.glob("*.json")))
def test_recorded_stream(name: str) -> None:
    check(name)


def test_events_split_at_every_point_reduce_alike() -> None:
    # The reducer sees whole events; what matters is that a stream ending without message_stop
    # is visibly unfinished, so the client can retry it.
    events = json.loads((STREAMS / "tool_use_fragments.json").read_text())["events"]
    partial = reduce(events[:-1])
    assert not partial.done
    assert reduce(events).done


def test_open_text_is_readable_mid_stream() -> None:
    events = json.loads((STREAMS / "text_ping_unknown.json").read_text())["events"]
    snapshot = reduce(events[:4])
    assert snapshot.open[0].text_so_far("text") == "Hello"
