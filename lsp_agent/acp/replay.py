"""A saved conversation as the updates `session/load` replays, so the client shows the history."""

from __future__ import annotations

from typing import Any

from acp import schema

from lsp_agent.acp.translator import (
    Translator,
    Update,
    locations,
    tool_kind,
    tool_title,
)
from lsp_agent.agent import events as ev


def replay(session_id: str, messages: list[dict[str, Any]]) -> list[Update]:
    updates: list[Update] = []
    translator = Translator()
    for message in messages:
        content = message["content"]
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
        for block in blocks:
            updates += _block(session_id, message["role"], block, translator)
    return updates


def _block(
    session_id: str, role: str, block: dict[str, Any], translator: Translator
) -> list[Update]:
    kind = block.get("type")
    if kind == "text" and role == "user":
        text = schema.TextContentBlock(type="text", text=block["text"])
        return [schema.UserMessageChunk(session_update="user_message_chunk", content=text)]
    if kind == "image" and role == "user":  # an image the user pasted
        source = block.get("source") or {}
        if source.get("type") != "base64":
            return []
        image = schema.ImageContentBlock(
            type="image", data=source.get("data", ""), mime_type=source.get("media_type", "")
        )
        return [schema.UserMessageChunk(session_update="user_message_chunk", content=image)]
    if kind == "text":
        return translator(ev.TextDelta(session_id=session_id, text=block["text"]))
    if kind == "thinking":
        return translator(ev.ThinkingDelta(session_id=session_id, text=block.get("thinking", "")))
    if kind == "tool_use":
        tool_input = block.get("input") or {}
        return [
            schema.ToolCallStart(
                session_update="tool_call",
                tool_call_id=block["id"],
                title=tool_title(block["name"], tool_input),
                kind=tool_kind(block["name"]),
                status="completed",
                locations=locations(tool_input),
                raw_input=tool_input,
            )
        ]
    if kind == "tool_result":
        finished = ev.ToolFinished(
            session_id=session_id,
            id=block["tool_use_id"],
            content=block.get("content", ""),
            is_error=bool(block.get("is_error")),
        )
        return translator(finished)
    return []
