"""The model stream as a reducer: `accumulate(event, snapshot) -> snapshot`.

Events are the decoded `data:` objects of the Messages API's server-sent events. The reducer does
no I/O and keeps no state outside the snapshot, so it is tested on recorded event lists alone. Like
the Anthropic SDK's `accumulate_event`, it updates the snapshot in place and returns it: copying a
message per text delta would cost more than parsing the stream.

Fragments (text, thinking, partial tool-input JSON) are collected in lists and joined when their
block stops, which keeps long answers linear rather than quadratic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal, assert_never, cast, get_args

from lsp_agent.agent.model.errors import StreamErrorEvent

EventType = Literal[
    "message_start",
    "content_block_start",
    "content_block_delta",
    "content_block_stop",
    "message_delta",
    "message_stop",
    "ping",
    "error",
]
_EVENT_TYPES: frozenset[str] = frozenset(get_args(EventType))

# Which field of a block each delta type grows, and the delta's field holding the fragment.
_FRAGMENT_FIELD: dict[str, tuple[str, str]] = {
    "text_delta": ("text", "text"),
    "thinking_delta": ("thinking", "thinking"),
    "signature_delta": ("signature", "signature"),
    "input_json_delta": ("input", "partial_json"),
}


@dataclass
class OpenBlock:
    """A content block between its start and stop events."""

    block: dict[str, Any]
    parts: dict[str, list[str]] = field(default_factory=dict)

    def text_so_far(self, name: str) -> str:
        return "".join(self.parts.get(name, ()))


@dataclass
class MessageSnapshot:
    id: str = ""
    model: str = ""
    # Finished blocks by index; a slot stays None while its block is open.
    blocks: list[dict[str, Any] | None] = field(default_factory=list)
    open: dict[int, OpenBlock] = field(default_factory=dict)
    # Tool-use blocks whose input JSON did not parse (cut off by max_tokens): their indexes.
    truncated: set[int] = field(default_factory=set)
    stop_reason: str | None = None
    stop_sequence: str | None = None
    usage: dict[str, int] = field(default_factory=dict)
    done: bool = False  # message_stop seen

    @property
    def content(self) -> list[dict[str, Any]]:
        """The finished, well-formed blocks, as the API wants them sent back."""
        return [b for i, b in enumerate(self.blocks) if b is not None and i not in self.truncated]

    @property
    def text(self) -> str:
        return "".join(b["text"] for b in self.content if b["type"] == "text")

    @property
    def tool_uses(self) -> list[dict[str, Any]]:
        return [b for b in self.content if b["type"] == "tool_use"]


def accumulate(event: dict[str, Any], snapshot: MessageSnapshot) -> MessageSnapshot:
    """Fold one decoded stream event into `snapshot`. Raises StreamErrorEvent on `error`."""
    raw_type = event.get("type")
    if raw_type == "content_block_delta":  # nearly every event: skip the general dispatch
        _block_delta(snapshot, event["index"], event["delta"])
        return snapshot
    if raw_type not in _EVENT_TYPES:
        return snapshot  # the API may add event types; they must be ignored
    kind = cast(EventType, raw_type)
    match kind:
        case "message_start":
            return _message_start(event["message"])
        case "content_block_start":
            _block_start(snapshot, event["index"], event["content_block"])
        case "content_block_delta":
            pass  # handled above
        case "content_block_stop":
            _block_stop(snapshot, event["index"])
        case "message_delta":
            delta = event.get("delta", {})
            snapshot.stop_reason = delta.get("stop_reason", snapshot.stop_reason)
            snapshot.stop_sequence = delta.get("stop_sequence", snapshot.stop_sequence)
            _merge_usage(snapshot.usage, event.get("usage") or {})
        case "message_stop":
            for index in list(snapshot.open):
                _block_stop(snapshot, index)  # a block never stopped is finished as it stands
            snapshot.done = True
        case "ping":
            pass
        case "error":
            error = event.get("error") or {}
            raise StreamErrorEvent(error.get("type", "api_error"), error.get("message", ""))
        case _:
            assert_never(kind)
    return snapshot


def _message_start(message: dict[str, Any]) -> MessageSnapshot:
    snapshot = MessageSnapshot(id=message.get("id", ""), model=message.get("model", ""))
    _merge_usage(snapshot.usage, message.get("usage") or {})
    for index, block in enumerate(message.get("content") or []):
        _block_start(snapshot, index, block)
        _block_stop(snapshot, index)
    return snapshot


def _merge_usage(usage: dict[str, int], update: dict[str, Any]) -> None:
    # message_delta usage is cumulative: later values replace earlier ones.
    for key, value in update.items():
        if isinstance(value, int) and not isinstance(value, bool):
            usage[key] = value
        elif key == "server_tool_use" and isinstance(value, dict):
            # {"web_search_requests": N}: server tools are billed per use (pricing.py).
            _merge_usage(usage, value)


def _block_start(snapshot: MessageSnapshot, index: int, block: dict[str, Any]) -> None:
    while len(snapshot.blocks) <= index:
        snapshot.blocks.append(None)
    snapshot.open[index] = OpenBlock(dict(block))


def _block_delta(snapshot: MessageSnapshot, index: int, delta: dict[str, Any]) -> None:
    block = snapshot.open.get(index)
    if block is None:
        return
    kind = delta.get("type", "")
    fragment = _FRAGMENT_FIELD.get(kind)
    if fragment is not None:
        name, source = fragment
        parts = block.parts.get(name)
        if parts is None:
            parts = block.parts[name] = []
        parts.append(delta.get(source, ""))
    elif kind == "citations_delta":
        block.block.setdefault("citations", []).append(delta.get("citation"))
    # other delta types are newer than this code: ignored, like unknown events


def _block_stop(snapshot: MessageSnapshot, index: int) -> None:
    open_block = snapshot.open.pop(index, None)
    if open_block is None:
        return
    block = open_block.block
    for name, parts in open_block.parts.items():
        if name == "input":
            continue
        block[name] = block.get(name, "") + "".join(parts)
    if block.get("type") in ("tool_use", "server_tool_use"):
        # A server tool's input (web search's query) goes back to the API after pause_turn
        # exactly as streamed, so it is parsed like a client tool's.
        block["input"] = _tool_input(open_block, block, snapshot, index)
    snapshot.blocks[index] = block


def _tool_input(
    open_block: OpenBlock, block: dict[str, Any], snapshot: MessageSnapshot, index: int
) -> dict[str, Any]:
    if "input" not in open_block.parts:
        return block.get("input") or {}
    text = open_block.text_so_far("input")
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        snapshot.truncated.add(index)
        return {}
    if not isinstance(value, dict):
        snapshot.truncated.add(index)
        return {}
    return value
