"""SSE parsing throughput of the model client: bytes -> httpx-sse -> JSON -> reducer, in memory.

The bytes are what the fake API sends for one long answer plus a large tool input, fed to
`client.read_stream` through an httpx response in 64 KiB pieces, so only parsing is timed (a
server process in the loop measures the server instead). Two delta sizes: text deltas of up to
8 characters (worst case) and up to 32 (a few tokens per event, as the API usually sends).
Baselines in the same run: httpx-sse alone (no JSON, no reducer) and httpx's line splitter.
Times are CPU seconds of this process (the parse is single-threaded and in memory), so other
work on the shared machine does not count against it. Target: >= 20 MB/s for typical deltas.

    python bench/agent_sse.py [--runs 5] [--chars 600000]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from httpx_sse import EventSource

sys.path.insert(0, str(Path(__file__).parent))
from common import median, save, table

from lsp_agent.agent.model.client import read_stream
from lsp_agent.agent.ports import CancelToken
from lsp_agent.testing.fake_anthropic import FakeAnthropic, sse_bytes

TARGET_MB_S = 20.0


def stream_bytes(chars: int, max_text: int) -> bytes:
    text = ("The quick brown fox jumps over the lazy dog. " * (chars // 45 + 1))[:chars]
    content = ("x = compute(1, 2)\n" * (chars // 18 + 1))[: chars // 2]
    tool = {
        "type": "tool_use",
        "name": "Write",
        "input": {"file_path": "/w/a.py", "content": content},
    }
    fake = FakeAnthropic({"responses": []}, max_text=max_text, max_fragment=4 * max_text)
    return sse_bytes(fake.events_for({"content": [{"type": "text", "text": text}, tool]}, {}))


class Bytes(httpx.AsyncByteStream):
    def __init__(self, data: bytes) -> None:
        self.data = data

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for i in range(0, len(self.data), 65536):
            yield self.data[i : i + 65536]


def response(data: bytes) -> httpx.Response:
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=Bytes(data))


async def client_parse(data: bytes) -> float:
    start = time.process_time()
    snapshot = await read_stream(response(data), CancelToken())
    assert snapshot.done and snapshot.tool_uses
    return time.process_time() - start


async def sse_only(data: bytes) -> float:
    start = time.process_time()
    async for _ in EventSource(response(data)).aiter_sse():
        pass
    return time.process_time() - start


async def lines_only(data: bytes) -> float:
    start = time.process_time()
    async for _ in response(data).aiter_lines():
        pass
    return time.process_time() - start


async def measure(runs: int, chars: int) -> dict:
    cases = {}
    for label, max_text in (("typical deltas (<=32 chars)", 32), ("small deltas (<=8 chars)", 8)):
        data = stream_bytes(chars, max_text)
        timings: dict[str, list[float]] = {"client": [], "httpx-sse only": [], "lines only": []}
        for _ in range(runs):  # interleaved, so machine noise hits all three alike
            timings["client"].append(await client_parse(data))
            timings["httpx-sse only"].append(await sse_only(data))
            timings["lines only"].append(await lines_only(data))
        mb = len(data) / 1e6
        cases[label] = {
            "stream_mb": round(mb, 2),
            **{f"{k} MB/s": round(mb / median(v), 1) for k, v in timings.items()},
        }
    return cases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--chars", type=int, default=600_000)
    args = parser.parse_args()
    cases = asyncio.run(measure(args.runs, args.chars))
    columns = list(next(iter(cases.values())))
    rows = [(label, *(str(c[k]) for k in columns)) for label, c in cases.items()]
    print(table(rows, ("case", *columns)))
    typical = cases["typical deltas (<=32 chars)"]["client MB/s"]
    print(f"target: client >= {TARGET_MB_S} MB/s on typical deltas: {typical}")
    print(f"saved {save('agent_sse', {'cases': cases, 'target_mb_s': TARGET_MB_S})}")
    return 0 if typical >= TARGET_MB_S else 1


if __name__ == "__main__":
    sys.exit(main())
