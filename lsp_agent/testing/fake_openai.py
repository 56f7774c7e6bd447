"""A scripted fake OpenAI-compatible chat-completions endpoint, with the dialects of the servers
people run: real HTTP and SSE on 127.0.0.1, from the same scenarios as `FakeAnthropic`.

Dialects (what differs on the wire):
- `openai`: tool calls stream as fragments keyed by `index` (id and name in the first, the
  arguments cut into small pieces); usage in a last chunk with no choices when the request asks
  for it (`stream_options.include_usage`); `data: [DONE]`.
- `ollama`: each tool call whole in one chunk, all in the last content chunk, with
  `finish_reason: "stop"` even when it calls tools.
- `llamacpp`: fragments as OpenAI's, but no usage at all.
- `nostream`: the server ignores `stream` and answers one `chat.completion` JSON object.

Every request is checked against the chat-completions rules (roles, tool messages answering
the assistant's calls right after it, function tools, data-URL images, no Anthropic-only fields,
the bearer key when one is expected); a broken one gets a 400 and lands in `violations`.

    async with FakeOpenAI(scenario, dialect="ollama") as fake:
        env = {"LSP_AGENT_PROVIDER": "openai", "OPENAI_BASE_URL": fake.openai_url}
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from typing import Any

from lsp_agent.testing.fake_anthropic import FakeAnthropic, RecordedRequest

DIALECTS = ("openai", "ollama", "llamacpp", "nostream")
_FINISH = {"end_turn": "stop", "tool_use": "tool_calls", "max_tokens": "length"}
_ROLES = ("system", "user", "assistant", "tool")


class FakeOpenAI(FakeAnthropic):
    def __init__(
        self, *args: Any, dialect: str = "openai", api_key: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if dialect not in DIALECTS:
            raise ValueError(f"unknown dialect {dialect!r}")
        self.dialect = dialect
        self.api_key = api_key

    @property
    def openai_url(self) -> str:
        return f"{self.base_url}/v1"

    def routes(self, path: str) -> bool:
        return path == "/v1/chat/completions"

    def check(self, record: RecordedRequest) -> list[str]:
        problems = []
        if self.api_key and record.headers.get("authorization") != f"Bearer {self.api_key}":
            problems.append("missing or wrong Authorization: Bearer key")
        body = record.body
        if not isinstance(body, dict):
            return [*problems, "the body is not a JSON object"]
        if "cache_control" in json.dumps(body):
            problems.append("cache_control is not a chat-completions field")
        if not isinstance(body.get("model"), str) or not body["model"]:
            problems.append("model is required")
        usage_asked = (body.get("stream_options") or {}).get("include_usage")
        if body.get("stream") and self.dialect == "openai" and not usage_asked:
            problems.append("stream without stream_options.include_usage")
        problems += _check_tools(body.get("tools"))
        return problems + self._check_messages(body.get("messages"))

    def _check_messages(self, messages: Any) -> list[str]:
        if not isinstance(messages, list) or not messages:
            return ["messages must be a non-empty list"]
        problems: list[str] = []
        waiting: list[str] = []  # tool_call ids of the last assistant message not yet answered
        for i, message in enumerate(messages):
            role = message.get("role")
            if role not in _ROLES:
                problems.append(f"messages[{i}]: unknown role {role!r}")
            if role == "tool":
                if message.get("tool_call_id") not in waiting:
                    problems.append(f"messages[{i}]: tool message answers no pending tool call")
                else:
                    waiting.remove(message["tool_call_id"])
                if not isinstance(message.get("content"), str):
                    problems.append(f"messages[{i}]: tool content must be a string")
                continue
            if waiting:
                problems.append(f"messages[{i}]: tool calls {waiting} were not answered")
                waiting = []
            if role == "assistant":
                for call in message.get("tool_calls") or []:
                    if call.get("id") not in self._tool_ids:
                        problems.append(f"messages[{i}]: unknown tool call id {call.get('id')}")
                    json.loads(call["function"]["arguments"])
                    waiting.append(call["id"])
            problems += _check_content(i, message.get("content"))
        return problems

    async def _error(
        self,
        writer: asyncio.StreamWriter,
        status: int,
        error_type: str,
        message: str,
        headers: dict[str, str],
    ) -> None:
        payload = json.dumps(
            {"error": {"message": message, "type": error_type, "code": None}}
        ).encode()
        head = [
            f"HTTP/1.1 {status} Error",
            "content-type: application/json",
            f"content-length: {len(payload)}",
            *(f"{k}: {v}" for k, v in headers.items()),
        ]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + payload)
        await writer.drain()

    async def _stream(
        self,
        response: dict[str, Any],
        request: dict[str, Any],
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> bool:
        if self.dialect == "nostream" and not response.get("fail"):
            payload = json.dumps(self.completion_for(response, request)).encode()
            head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
            writer.write(f"{head}content-length: {len(payload)}\r\n\r\n".encode() + payload)
            await writer.drain()
            return True
        error = {"error": {"message": "Overloaded", "type": "overloaded_error"}}
        chunks = [_data(c) for c in self.chunks_for(response, request)]
        done = b"data: [DONE]\n\n"
        return await self.play(response, chunks, _data(error), reader, writer, last=done)

    # -- chunks -----------------------------------------------------------------------------

    def chunks_for(self, response: dict[str, Any], request: dict[str, Any]) -> list[dict[str, Any]]:
        """The chunks a scripted `response` becomes in this dialect (benchmarks use it too)."""
        model = response.get("model", request.get("model", ""))
        base = {
            "id": f"chatcmpl-fake-{self._next:03d}",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": model,
        }

        def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
            return {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

        chunks = [chunk({"role": "assistant", "content": ""})]
        calls: list[dict[str, Any]] = []
        for block in response.get("content", []):
            kind = block["type"]
            if kind in ("text", "thinking"):
                field = "content" if kind == "text" else "reasoning_content"
                for piece in self._split(block[kind], self._max_text):
                    chunks.append(chunk({field: piece}))
            elif kind == "tool_use":
                call, raw = self._tool_call(len(calls), block)
                calls.append(self._whole(call, raw))
                if self.dialect == "ollama":
                    continue  # all calls come whole, in the last chunk
                chunks.append(chunk({"tool_calls": [call]}))
                chunks += [
                    chunk({"tool_calls": [{"index": call["index"], "function": {"arguments": p}}]})
                    for p in self._split(raw, self._max_fragment)
                ]
        finish = _FINISH.get(
            response.get("stop_reason", "tool_use" if calls else "end_turn"), "stop"
        )
        if self.dialect == "ollama":
            if calls:
                chunks.append(chunk({"tool_calls": calls}))
            chunks.append(chunk({}, "stop" if finish == "tool_calls" else finish))
        else:
            chunks.append(chunk({}, finish))
        if self.dialect != "llamacpp" and (request.get("stream_options") or {}).get(
            "include_usage"
        ):
            chunks.append({**base, "choices": [], "usage": self._usage(response)})
        return chunks

    def completion_for(self, response: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
        text = "".join(b["text"] for b in response.get("content", []) if b["type"] == "text")
        calls: list[dict[str, Any]] = []
        for block in response.get("content", []):
            if block["type"] == "tool_use":
                call, raw = self._tool_call(len(calls), block)
                calls.append(self._whole(call, raw))
        message: dict[str, Any] = {"role": "assistant", "content": text or None}
        if calls:
            message["tool_calls"] = calls
        finish = "tool_calls" if calls else "stop"
        return {
            "id": f"chatcmpl-fake-{self._next:03d}",
            "object": "chat.completion",
            "model": request.get("model", ""),
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": self._usage(response),
        }

    def _tool_call(self, index: int, block: dict[str, Any]) -> tuple[dict[str, Any], str]:
        """The call's first fragment (id and name, no arguments yet) and its arguments."""
        tool_id = block.get("id") or f"call_fake_{len(self._tool_ids):04d}"
        self._tool_ids.add(tool_id)
        raw = block.get("raw_json", json.dumps(block.get("input", {})))
        function = {"name": block["name"], "arguments": ""}
        return {"index": index, "id": tool_id, "type": "function", "function": function}, raw

    @staticmethod
    def _whole(call: dict[str, Any], raw: str) -> dict[str, Any]:
        return {**call, "function": {**call["function"], "arguments": raw}}

    @staticmethod
    def _usage(response: dict[str, Any]) -> dict[str, Any]:
        usage = response.get("usage", {})
        prompt = usage.get("input_tokens", 10) + usage.get("cache_read_input_tokens", 0)
        return {
            "prompt_tokens": prompt,
            "completion_tokens": usage.get("output_tokens", 1),
            "total_tokens": prompt + usage.get("output_tokens", 1),
            "prompt_tokens_details": {"cached_tokens": usage.get("cache_read_input_tokens", 0)},
        }


def _check_tools(tools: Any) -> list[str]:
    if tools is None:
        return []
    problems = []
    for i, tool in enumerate(tools if isinstance(tools, list) else [None]):
        function = (tool or {}).get("function") or {}
        if (tool or {}).get("type") != "function" or not function.get("name"):
            problems.append(f"tools[{i}]: must be {{type: function, function: {{name, ...}}}}")
        elif function.get("parameters", {}).get("type") != "object":
            problems.append(f"tools[{i}]: parameters must be a JSON schema object")
    return problems


def _check_content(i: int, content: Any) -> list[str]:
    if content is None or isinstance(content, str):
        return []
    problems = []
    for part in content:
        kind = part.get("type")
        if kind == "image_url":
            if not part.get("image_url", {}).get("url", "").startswith(("data:", "http")):
                problems.append(f"messages[{i}]: image_url needs a data: or http URL")
        elif kind != "text":
            problems.append(f"messages[{i}]: unknown content part {kind!r}")
    return problems


def _data(chunk: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(chunk)}\n\n".encode()


async def _serve_forever(args: argparse.Namespace) -> None:
    variables = dict(v.split("=", 1) for v in args.var)
    fake = FakeOpenAI(args.scenario, variables=variables, port=args.port, dialect=args.dialect)
    async with fake:
        sys.stdout.write(f"listening on {fake.openai_url}\n")
        sys.stdout.flush()
        await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve a scripted fake OpenAI-compatible API.")
    parser.add_argument("scenario", help="scenario JSON file")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--dialect", choices=DIALECTS, default="openai")
    parser.add_argument("--var", action="append", default=[], help="NAME=VALUE placeholder")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve_forever(parser.parse_args()))


if __name__ == "__main__":
    main()
