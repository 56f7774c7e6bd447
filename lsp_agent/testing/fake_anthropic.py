"""A scripted fake of the Anthropic Messages API: real HTTP/1.1 and SSE on 127.0.0.1.

Each request gets the next response of a scenario (data: a JSON file or dict). A response is either
a streamed message (`content` blocks, `stop_reason`, `usage`), an HTTP error (`status`, `error`,
`headers` such as retry-after) or a stream that fails part-way (`fail`: `{"after": N, "mode":
"error_event" | "drop" | "stall" | "hold"}`). The bytes are cut into small chunked-encoding pieces
at seeded random places, and tool input JSON into fragments of a few characters, so the client's
SSE decoding and the reducer meet every split the real API can produce.

Every request is checked against the API's rules (`api_rules`); a broken one is answered with 400
as the real API would, and recorded in `violations`. Strings in a scenario may use `{name}`
placeholders filled from `variables` (e.g. `{cwd}`).

    async with FakeAnthropic(scenario, variables={"cwd": str(tmp)}) as fake:
        env = {"ANTHROPIC_BASE_URL": fake.base_url, "ANTHROPIC_API_KEY": "sk-test"}

Also a process: `python -m lsp_agent.testing.fake_anthropic SCENARIO.json --port 0` prints
`listening on http://127.0.0.1:PORT` on stdout and serves until killed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsp_agent.testing.api_rules import check_request

# How long a stalled or held response waits for the client to give up, at most.
_STALL_LIMIT_S = 120.0


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    violations: list[str] = field(default_factory=list)
    raw: bytes = b""  # the body as sent (a signature covers these bytes)
    received_at: float = field(default_factory=time.monotonic)  # for start-up benchmarks


def load_scenario(source: str | Path | dict[str, Any]) -> dict[str, Any]:
    if isinstance(source, dict):
        return source
    return dict(json.loads(Path(source).read_text(encoding="utf-8")))


def _fill(value: Any, variables: dict[str, str]) -> Any:
    if isinstance(value, str):
        for name, replacement in variables.items():
            value = value.replace("{" + name + "}", replacement)
        return value
    if isinstance(value, list):
        return [_fill(v, variables) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, variables) for k, v in value.items()}
    return value


class FakeAnthropic:
    def __init__(
        self,
        scenario: str | Path | dict[str, Any],
        *,
        variables: dict[str, str] | None = None,
        seed: int = 0,
        max_chunk: int = 48,
        max_fragment: int = 6,
        max_text: int = 8,
        port: int = 0,
    ) -> None:
        self.scenario = load_scenario(scenario)
        self.responses: list[dict[str, Any]] = _fill(
            list(self.scenario.get("responses", [])), variables or {}
        )
        self.requests: list[RecordedRequest] = []
        self.violations: list[str] = []
        self.held = asyncio.Event()  # set when a "hold" response reaches its hold point
        self.release = asyncio.Event()  # set it to let held or stalled responses finish
        self._random = random.Random(seed)
        self._max_chunk = max_chunk
        self._max_fragment = max_fragment
        self._max_text = max_text
        self._port = port
        self._next = 0
        self._tool_ids: set[str] = set()
        self._thinking: dict[str, str] = {}
        self._server: asyncio.Server | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the server first"
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def __aenter__(self) -> FakeAnthropic:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self._port)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self.release.set()
        self._server.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._server.wait_closed(), 5)

    @property
    def remaining(self) -> int:
        return len(self.responses) - self._next

    def next_response(self, body: dict[str, Any]) -> dict[str, Any] | None:
        """The response for a valid request: the scenario's next, in order. A subclass may pick
        by the request instead (`replay.py` routes by conversation and turn)."""
        if self._next >= len(self.responses):
            return None
        response = self.responses[self._next]
        self._next += 1
        return response

    # -- what a request must look like (fakes of other wire formats override) ------------

    def routes(self, path: str) -> bool:
        return path == "/v1/messages"

    def check(self, record: RecordedRequest) -> list[str]:
        return check_request(record.headers, record.body, self._tool_ids, self._thinking)

    # -- HTTP ---------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while await self._one_request(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def _one_request(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        request_line = await reader.readline()
        if not request_line.strip():
            return False
        method, path, _ = request_line.decode("latin-1").split(" ", 2)
        headers: dict[str, str] = {}
        while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        raw = await reader.readexactly(int(headers.get("content-length", "0")))
        try:
            body = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            body = None
        record = RecordedRequest(method, path, headers, body, raw=raw)
        self.requests.append(record)
        return await self._answer(record, reader, writer)

    async def _answer(
        self, record: RecordedRequest, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        if record.method != "POST" or not self.routes(record.path.split("?")[0]):
            await self._error(writer, 404, "not_found_error", f"no route {record.path}", {})
            return True
        record.violations = self.check(record)
        response = None if record.violations else self.next_response(record.body)
        if not record.violations and response is None:
            record.violations = ["the scenario has no response left for this request"]
        if record.violations or response is None:
            self.violations += record.violations
            await self._error(
                writer, 400, "invalid_request_error", "; ".join(record.violations), {}
            )
            return True
        if "status" in response:
            error = response.get("error", {})
            await self._error(
                writer,
                response["status"],
                error.get("type", "api_error"),
                error.get("message", ""),
                response.get("headers", {}),
            )
            return True
        return await self._stream(response, record.body, reader, writer)

    async def _error(
        self,
        writer: asyncio.StreamWriter,
        status: int,
        error_type: str,
        message: str,
        headers: dict[str, str],
    ) -> None:
        payload = json.dumps(
            {
                "type": "error",
                "error": {"type": error_type, "message": message},
                "request_id": "req_fake",
            }
        ).encode()
        head = [
            f"HTTP/1.1 {status} Error",
            "content-type: application/json",
            f"content-length: {len(payload)}",
        ]
        head += [f"{k}: {v}" for k, v in headers.items()]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + payload)
        await writer.drain()

    async def _stream(
        self,
        response: dict[str, Any],
        request: dict[str, Any],
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> bool:
        error = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
        events = [_sse(e) for e in self.events_for(response, request)]
        return await self.play(response, events, _sse(error), reader, writer)

    async def play(
        self,
        response: dict[str, Any],
        chunks: list[bytes],
        error_chunk: bytes,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        content_type: str = "text/event-stream",
        last: bytes = b"",
    ) -> bool:
        """Send a 200 response's encoded `chunks` as chunked HTTP, failing as the scenario's
        `fail` says (`error_chunk` for error_event); `last` ends a stream that did not fail.
        The fakes of other wire formats encode their own chunks and share this."""
        head = f"HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\n"
        writer.write((head + "transfer-encoding: chunked\r\n\r\n").encode())
        fail = response.get("fail") or {}
        cut = int(fail.get("after", len(chunks))) if fail else len(chunks)
        await self._send_chunked(writer, b"".join(chunks[:cut]))
        mode = fail.get("mode")
        if mode == "error_event":
            await self._send_chunked(writer, error_chunk)
        elif mode == "drop":
            writer.transport.abort()
            return False
        elif mode in ("stall", "hold"):
            if mode == "hold":
                self.held.set()
            await self._wait_for_release_or_hangup(reader)
            writer.transport.abort()
            return False
        elif not fail and last:
            await self._send_chunked(writer, last)
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        return True

    async def _wait_for_release_or_hangup(self, reader: asyncio.StreamReader) -> None:
        hangup = asyncio.ensure_future(reader.read())
        release = asyncio.ensure_future(self.release.wait())
        await asyncio.wait(
            {hangup, release}, timeout=_STALL_LIMIT_S, return_when=asyncio.FIRST_COMPLETED
        )
        hangup.cancel()
        release.cancel()

    async def _send_chunked(self, writer: asyncio.StreamWriter, data: bytes) -> None:
        position = 0
        while position < len(data):
            size = self._random.randint(1, self._max_chunk)
            piece = data[position : position + size]
            position += size
            writer.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            await writer.drain()

    # -- SSE events -------------------------------------------------------------------

    def events_for(self, response: dict[str, Any], request: dict[str, Any]) -> list[dict[str, Any]]:
        """The stream events a scripted `response` becomes (also used by benchmarks)."""
        content = response.get("content", [])
        usage = {
            "input_tokens": 10,
            "output_tokens": 1,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            **response.get("usage", {}),
        }
        start_usage = {**usage, "output_tokens": 1}
        message = {
            "id": f"msg_fake_{self._next:03d}",
            "type": "message",
            "role": "assistant",
            "model": response.get("model", request.get("model", "")),
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": start_usage,
        }
        events: list[dict[str, Any]] = [
            {"type": "message_start", "message": message},
            {"type": "ping"},
        ]
        for index, block in enumerate(content):
            events += self._block_events(index, block)
            if index == 0:
                events.append({"type": "future_event_type", "note": "ignore me"})
        has_tool = any(b.get("type") == "tool_use" for b in content)
        stop = response.get("stop_reason", "tool_use" if has_tool else "end_turn")
        events.append(
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop, "stop_sequence": None},
                "usage": {
                    "output_tokens": usage["output_tokens"],
                    **(
                        {"server_tool_use": usage["server_tool_use"]}
                        if "server_tool_use" in usage
                        else {}
                    ),
                },
            }
        )
        events.append({"type": "message_stop"})
        return events

    def _block_events(self, index: int, block: dict[str, Any]) -> list[dict[str, Any]]:
        kind = block["type"]
        start: dict[str, Any]
        deltas: list[dict[str, Any]]
        if kind == "text":
            start, deltas = (
                {"type": "text", "text": ""},
                [
                    {"type": "text_delta", "text": t}
                    for t in self._split(block["text"], self._max_text)
                ],
            )
        elif kind == "thinking":
            self._thinking[block["signature"]] = block["thinking"]
            start = {"type": "thinking", "thinking": "", "signature": ""}
            deltas = [
                {"type": "thinking_delta", "thinking": t}
                for t in self._split(block["thinking"], self._max_text)
            ]
            deltas.append({"type": "signature_delta", "signature": block["signature"]})
        elif kind == "redacted_thinking":
            start, deltas = dict(block), []
        elif kind == "tool_use":
            tool_id = block.get("id") or f"toolu_fake_{len(self._tool_ids):04d}"
            self._tool_ids.add(tool_id)
            start = {"type": "tool_use", "id": tool_id, "name": block["name"], "input": {}}
            raw = block.get("raw_json", json.dumps(block.get("input", {})))
            deltas = [
                {"type": "input_json_delta", "partial_json": p}
                for p in ["", *self._split(raw, self._max_fragment)]
            ]
        elif kind == "server_tool_use":  # a server tool (web search) the API runs itself
            start = {"type": kind, "id": block["id"], "name": block["name"], "input": {}}
            raw = json.dumps(block.get("input", {}))
            deltas = [
                {"type": "input_json_delta", "partial_json": p}
                for p in self._split(raw, self._max_fragment)
            ]
        elif kind == "web_search_tool_result":
            start, deltas = dict(block), []
        else:
            raise ValueError(f"unknown block type in scenario: {kind}")
        return [
            {"type": "content_block_start", "index": index, "content_block": start},
            *({"type": "content_block_delta", "index": index, "delta": d} for d in deltas),
            {"type": "content_block_stop", "index": index},
        ]

    def _split(self, text: str, most: int) -> list[str]:
        pieces = []
        position = 0
        while position < len(text):
            size = self._random.randint(1, most)
            pieces.append(text[position : position + size])
            position += size
        return pieces


def sse_bytes(events: list[dict[str, Any]]) -> bytes:
    return b"".join(_sse(e) for e in events)


@contextlib.contextmanager
def fake_anthropic_process(
    scenario: dict[str, Any],
    variables: dict[str, str] | None = None,
    module: str = "lsp_agent.testing.fake_anthropic",
) -> Iterator[str]:
    """The fake server in a process of its own (for tests whose event loop is busy driving an
    editor, or that have none); yields its base URL and stops it afterwards. `module`: another
    fake with the same command line (`lsp_agent.testing.fake_openai` yields its `/v1` URL)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scenario.json"
        path.write_text(json.dumps(scenario), encoding="utf-8")
        command = [
            sys.executable,
            "-m",
            module,
            str(path),
            "--port",
            "0",
        ]
        for name, value in (variables or {}).items():
            command += ["--var", f"{name}={value}"]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            if not line.startswith("listening on "):
                raise RuntimeError(f"the fake Anthropic server did not start: {line!r}")
            yield line.split()[-1]
        finally:
            process.terminate()
            process.wait(10)


def _sse(event: dict[str, Any]) -> bytes:
    return f"event: {event['type']}\ndata: {json.dumps(event)}\n\n".encode()


async def _serve_forever(args: argparse.Namespace) -> None:
    variables = dict(v.split("=", 1) for v in args.var)
    async with FakeAnthropic(
        args.scenario,
        variables=variables,
        port=args.port,
        max_chunk=args.max_chunk,
        max_fragment=args.max_fragment,
    ) as fake:
        sys.stdout.write(f"listening on {fake.base_url}\n")
        sys.stdout.flush()
        await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve a scripted fake Anthropic API.")
    parser.add_argument("scenario", help="scenario JSON file")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--var", action="append", default=[], help="NAME=VALUE placeholder")
    parser.add_argument("--max-chunk", type=int, default=48, help="largest HTTP chunk (bytes)")
    parser.add_argument("--max-fragment", type=int, default=6, help="largest tool JSON piece")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve_forever(parser.parse_args()))


if __name__ == "__main__":
    main()
