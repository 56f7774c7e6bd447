"""The stream reducer against real recorded Messages API streams (shared/reference/api-streams,
read from there): each stream, folded event by event, gives the message the official Python
SDK made of the same bytes (`sdk_reference`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lsp_agent.agent.model.reducer import MessageSnapshot, accumulate

SUITE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "api-streams"
CASES = sorted(SUITE.glob("*.json")) if SUITE.is_dir() else []
STREAMS = [p for p in CASES if json.loads(p.read_text())["kind"] == "stream"]
# Block fields compared with the SDK's message: what the model and the next request use.
FIELDS = ("type", "text", "id", "name", "input", "thinking", "signature", "data", "tool_use_id")


def events(body: str) -> list[dict[str, Any]]:
    """The `data:` payloads of an SSE body, in order."""
    found = []
    for chunk in body.replace("\r\n", "\n").split("\n\n"):
        data = [line[5:].strip() for line in chunk.split("\n") if line.startswith("data:")]
        if data:
            found.append(json.loads("\n".join(data)))
    return found


def shape(block: dict[str, Any]) -> dict[str, Any]:
    return {k: block[k] for k in FIELDS if block.get(k) not in (None, "", {})}


@pytest.mark.skipif(not STREAMS, reason=f"the recorded streams are not at {SUITE}")
@pytest.mark.parametrize("path", STREAMS, ids=[p.stem for p in STREAMS])
def test_recorded_stream_reduces_as_the_sdk_does(path: Path) -> None:
    case = json.loads(path.read_text())
    body = case["responses"][-1]["body"]
    snapshot = MessageSnapshot()
    for event in events(body):
        snapshot = accumulate(event, snapshot)
    reference = case["sdk_reference"]["ga_http"]["message"]
    # Deliberately unlike the SDK: a tool call cut by max_tokens is dropped (the loop asks the
    # model again), never run with a partial input.
    expected = [b for i, b in enumerate(reference["content"]) if i not in snapshot.truncated]
    assert [shape(b) for b in snapshot.content] == [shape(b) for b in expected]
    assert snapshot.stop_reason == reference["stop_reason"]
    for key in ("input_tokens", "output_tokens"):
        assert snapshot.usage.get(key) == (reference.get("usage") or {}).get(key)
