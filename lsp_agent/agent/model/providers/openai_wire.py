"""The OpenAI chat-completions wire format, translated both ways; no I/O.

`to_chat(request)` turns a Messages API request into a chat-completions body: the system prompt
as a system message, tool results as `tool` messages, images as data URLs, tools as functions.
`ChatTranslator` turns the streamed chunks back into Anthropic-shaped events for the reducer:
`delta.content` becomes a text block, `delta.reasoning_content` a thinking block, and
`delta.tool_calls` fragments (keyed by `index`; id and name in the first) become tool_use blocks
whose arguments stream as `input_json_delta`. Servers that send a whole call in one chunk, or
the whole answer as one non-streamed completion (`translate_completion`), fit the same path.
"""

from __future__ import annotations

import json
from typing import Any

FINISH_REASONS = {
    "stop": "end_turn",
    "tool_calls": "tool_use",
    "function_call": "tool_use",
    "length": "max_tokens",
    "content_filter": "refusal",
}


# -- request: Messages API -> chat completions ------------------------------------------------


def to_chat(request: dict[str, Any]) -> dict[str, Any]:
    messages: list[dict[str, Any]] = []
    system = _text_of(request.get("system") or "")
    if system:
        messages.append({"role": "system", "content": system})
    for message in request.get("messages", []):
        content = message["content"]
        if isinstance(content, str):
            messages.append({"role": message["role"], "content": content})
        elif message["role"] == "assistant":
            messages.append(_assistant(content))
        else:
            messages += _user(content)
    body: dict[str, Any] = {
        "model": request["model"],
        "messages": messages,
        "max_tokens": request.get("max_tokens", 4096),
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    tools = [_function(t) for t in request.get("tools") or [] if "input_schema" in t]
    if tools:
        body["tools"] = tools
        body["parallel_tool_calls"] = True
    for source, target in (("temperature", "temperature"), ("stop_sequences", "stop")):
        if source in request:
            body[target] = request[source]
    return body


def _text_of(value: str | list[dict[str, Any]]) -> str:
    if isinstance(value, str):
        return value
    return "\n\n".join(b.get("text", "") for b in value if b.get("type") == "text")


def _function(tool: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": tool["name"],
            "description": tool.get("description", ""),
            "parameters": tool["input_schema"],
        },
    }


def _assistant(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    # Thinking blocks stay behind: chat completions has no field that takes them back.
    text = "".join(b["text"] for b in blocks if b.get("type") == "text")
    calls = [
        {
            "id": b["id"],
            "type": "function",
            "function": {"name": b["name"], "arguments": json.dumps(b.get("input") or {})},
        }
        for b in blocks
        if b.get("type") == "tool_use"
    ]
    message: dict[str, Any] = {"role": "assistant", "content": text or None}
    if calls:
        message["tool_calls"] = calls
    return message


def _user(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tool results first (each its own `tool` message, right after the assistant's calls),
    then the rest as one user message; images inside a tool result follow as user content."""
    tool_messages: list[dict[str, Any]] = []
    parts: list[dict[str, Any]] = []
    for block in blocks:
        if block.get("type") == "tool_result":
            text, images = _result_parts(block)
            tool_messages.append(
                {"role": "tool", "tool_call_id": block["tool_use_id"], "content": text}
            )
            parts += images
        else:
            parts += _part(block)
    if parts:
        tool_messages.append({"role": "user", "content": parts})
    return tool_messages


def _result_parts(block: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    content = block.get("content", "")
    if isinstance(content, str):
        text, images = content, []
    else:
        text = "\n".join(b.get("text", "") for b in content if b.get("type") == "text")
        images = [p for b in content if b.get("type") == "image" for p in _part(b)]
    if block.get("is_error"):
        text = f"Error: {text}"
    return text, images


def _part(block: dict[str, Any]) -> list[dict[str, Any]]:
    kind = block.get("type")
    if kind == "text":
        return [{"type": "text", "text": block["text"]}]
    if kind == "image":
        source = block.get("source", {})
        if source.get("type") == "base64":
            url = f"data:{source['media_type']};base64,{source['data']}"
        else:
            url = source.get("url", "")
        return [{"type": "image_url", "image_url": {"url": url}}]
    return [{"type": "text", "text": json.dumps(block)}]  # a kind chat completions lacks


# -- response: chat-completion chunks -> Messages API events ---------------------------------


class ChatTranslator:
    """Feed decoded chunks in order; each call returns the Anthropic events they become."""

    def __init__(self, model: str) -> None:
        self.model = model
        self.started = False
        self.finished = False
        self._index = -1  # the Anthropic index of the latest block
        self._open_kind: str | None = None  # "text" or "thinking" while one is open
        self._tools: dict[int, int] = {}  # OpenAI tool-call index -> Anthropic block index
        self._finish: str | None = None
        self._usage: dict[str, int] = {}

    def feed(self, chunk: dict[str, Any]) -> list[dict[str, Any]]:
        choices = chunk.get("choices")
        if self._open_kind == "text" and choices and len(choices) == 1:
            # Nearly every chunk: one more piece of the open text block.
            choice = choices[0]
            delta = choice.get("delta")
            if delta and len(delta) == 1 and not choice.get("finish_reason"):
                text = delta.get("content")
                if text:
                    fragment = {"type": "text_delta", "text": text}
                    return [
                        {"type": "content_block_delta", "index": self._index, "delta": fragment}
                    ]
        events = self._start(chunk)
        if chunk.get("usage"):
            self._usage = usage_of(chunk["usage"])
        for choice in chunk.get("choices") or []:
            delta = choice.get("delta") or choice.get("message") or {}
            reasoning = delta.get("reasoning_content") or delta.get("reasoning")
            if reasoning:
                events += self._fragment("thinking", reasoning)
            if delta.get("content"):
                events += self._fragment("text", delta["content"])
            for call in delta.get("tool_calls") or []:
                events += self._tool_call(call)
            if choice.get("finish_reason"):
                self._finish = choice["finish_reason"]
        return events

    def finish(self) -> list[dict[str, Any]]:
        """The closing events, once the stream has ended ([DONE] or the end of the body).
        Without a finish_reason the stream broke: no message_stop, so the client retries."""
        if self._finish is None:
            return []
        events = self._start({})
        events += [{"type": "content_block_stop", "index": i} for i in self._open_indexes()]
        stop = FINISH_REASONS.get(self._finish, "end_turn")
        if self._tools and stop == "end_turn":
            stop = "tool_use"  # Ollama says "stop" even when it calls tools
        events.append(
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop, "stop_sequence": None},
                "usage": self._usage,
            }
        )
        events.append({"type": "message_stop"})
        self.finished = True
        return events

    def _start(self, chunk: dict[str, Any]) -> list[dict[str, Any]]:
        if self.started:
            return []
        self.started = True
        message = {
            "id": chunk.get("id", "chatcmpl"),
            "type": "message",
            "role": "assistant",
            "model": chunk.get("model") or self.model,
            "content": [],
            "stop_reason": None,
            "usage": {"input_tokens": 0, "output_tokens": 0},
        }
        return [{"type": "message_start", "message": message}]

    def _open_indexes(self) -> list[int]:
        indexes = sorted(self._tools.values())
        if self._open_kind is not None:
            indexes.append(self._index)
        return indexes

    def _fragment(self, kind: str, text: str) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        if self._open_kind != kind:
            events += self._close_open()
            self._index += 1
            self._open_kind = kind
            block = {"type": "text", "text": ""}
            if kind == "thinking":
                block = {"type": "thinking", "thinking": "", "signature": ""}
            events.append(
                {"type": "content_block_start", "index": self._index, "content_block": block}
            )
        key = "text" if kind == "text" else "thinking"
        delta = {"type": f"{kind}_delta", key: text}
        events.append({"type": "content_block_delta", "index": self._index, "delta": delta})
        return events

    def _close_open(self) -> list[dict[str, Any]]:
        if self._open_kind is None:
            return []
        self._open_kind = None
        return [{"type": "content_block_stop", "index": self._index}]

    def _tool_call(self, call: dict[str, Any]) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        key = int(call.get("index", len(self._tools)))
        function = call.get("function") or {}
        if key not in self._tools:
            events += self._close_open()
            self._index += 1
            self._tools[key] = self._index
            block = {
                "type": "tool_use",
                "id": call.get("id") or f"call_{self._index}",
                "name": function.get("name", ""),
                "input": {},
            }
            events.append(
                {"type": "content_block_start", "index": self._index, "content_block": block}
            )
        arguments = function.get("arguments")
        if isinstance(arguments, dict):  # some servers send the arguments already decoded
            arguments = json.dumps(arguments)
        if arguments:
            delta = {"type": "input_json_delta", "partial_json": arguments}
            events.append(
                {"type": "content_block_delta", "index": self._tools[key], "delta": delta}
            )
        return events


def usage_of(usage: dict[str, Any]) -> dict[str, int]:
    """OpenAI's usage as the Messages API counts it: cached prompt tokens apart."""
    prompt = int(usage.get("prompt_tokens") or 0)
    cached = int((usage.get("prompt_tokens_details") or {}).get("cached_tokens") or 0)
    return {
        "input_tokens": prompt - cached,
        "cache_read_input_tokens": cached,
        "output_tokens": int(usage.get("completion_tokens") or 0),
    }


def translate_completion(completion: dict[str, Any], model: str) -> list[dict[str, Any]]:
    """A non-streamed completion (a server that ignored `stream`) as the same events."""
    translator = ChatTranslator(model)
    chunk = {**completion, "choices": []}
    for choice in completion.get("choices") or []:
        message = dict(choice.get("message") or {})
        calls = [{**c, "index": i} for i, c in enumerate(message.pop("tool_calls", None) or [])]
        delta = {**message, "tool_calls": calls}
        finish = choice.get("finish_reason") or "stop"
        chunk["choices"].append({"delta": delta, "finish_reason": finish})
    return translator.feed(chunk) + translator.finish()
