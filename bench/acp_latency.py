"""`lsp-agent acp`: spawn to the `initialize` answer, against the SDK's minimal agent
(`acp_minimal_agent.py`) started the same way, runs alternating (target ratio <= 1.25); and a
prompt to its first `agent_message_chunk`, against the fake API's own time to first text for a
bare streaming request from this process (target overhead <= 20 ms p50).

    python bench/acp_latency.py [--runs 7] [--prompts 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from agent_common import API_KEY, request
from common import median, percentile, save, table

from lsp_agent.testing.fake_anthropic import FakeAnthropic

RATIO_TARGET, OVERHEAD_TARGET_MS = 1.25, 20.0
OURS = [sys.executable, "-m", "lsp_agent", "acp"]
MINIMAL = [sys.executable, str(Path(__file__).parent / "acp_minimal_agent.py")]
INITIALIZE = {"protocolVersion": 1, "clientCapabilities": {}}
ANSWER = {"content": [{"type": "text", "text": "hello from the fake model"}]}


class Line:
    """Newline-delimited JSON-RPC on a child's stdio, just enough to time it."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process, self.next_id = process, 0

    @classmethod
    async def spawn(cls, command: list[str], env: dict[str, str]) -> Line:
        process = await asyncio.create_subprocess_exec(
            *command,
            env=env,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        return cls(process)

    def send(self, method: str, params: Any) -> int:
        assert self.process.stdin is not None
        self.next_id += 1
        message = {"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params}
        self.process.stdin.write(json.dumps(message).encode() + b"\n")
        return self.next_id

    async def until(self, done: Any) -> dict[str, Any]:
        assert self.process.stdout is not None
        while line := await self.process.stdout.readline():
            message: dict[str, Any] = json.loads(line)
            if done(message):
                return message
        raise RuntimeError("the agent exited")

    async def call(self, method: str, params: Any) -> dict[str, Any]:
        sent = self.send(method, params)
        return await self.until(lambda m: m.get("id") == sent and "method" not in m)

    async def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        await self.process.wait()


async def spawn_to_initialize(command: list[str], env: dict[str, str]) -> float:
    start = time.monotonic()
    agent = await Line.spawn(command, env)
    await agent.call("initialize", INITIALIZE)
    took = time.monotonic() - start
    await agent.close()
    return took


def is_first_chunk(message: dict[str, Any]) -> bool:
    update = message.get("params", {}).get("update", {})
    return bool(update.get("sessionUpdate") == "agent_message_chunk")


async def prompt_latencies(
    fake: FakeAnthropic, env: dict[str, str], cwd: str, prompts: int
) -> tuple[list[float], list[float]]:
    """(prompt -> first chunk, prompt -> request at the fake) for each prompt, in seconds."""
    agent = await Line.spawn(OURS, env)
    await agent.call("initialize", INITIALIZE)
    session = (await agent.call("session/new", {"cwd": cwd, "mcpServers": []}))["result"]
    totals, before_request = [], []
    for _ in range(prompts):
        seen = len(fake.requests)
        start = time.monotonic()
        text = [{"type": "text", "text": "hi"}]
        sent = agent.send("session/prompt", {"sessionId": session["sessionId"], "prompt": text})
        await agent.until(is_first_chunk)
        totals.append(time.monotonic() - start)
        before_request.append(fake.requests[seen].received_at - start)
        await agent.until(lambda m, sent=sent: m.get("id") == sent)
    await agent.close()
    return totals, before_request


async def api_floor(fake: FakeAnthropic, runs: int) -> list[float]:
    """The fake API's own time to the first text delta, for a bare streaming request."""
    headers = {"x-api-key": API_KEY, "anthropic-version": "2023-06-01"}
    floors = []
    async with httpx.AsyncClient(base_url=fake.base_url, headers=headers) as client:
        for _ in range(runs):
            start = time.monotonic()
            body = {**request(), "stream": True}
            async with client.stream("POST", "/v1/messages", json=body) as response:
                async for line in response.aiter_lines():
                    if "text_delta" in line:
                        floors.append(time.monotonic() - start)
                        break
    return floors


async def main(runs: int, prompts: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "ANTHROPIC_API_KEY": API_KEY,
            "LSP_AGENT_DATA_DIR": tmp,
            "HOME": tmp,
        }
        ours, minimal = [], []
        for _ in range(runs):
            minimal.append(await spawn_to_initialize(MINIMAL, env))
            ours.append(await spawn_to_initialize(OURS, env))
        scenario = {"responses": [ANSWER] * (2 * prompts)}
        async with FakeAnthropic(scenario, max_chunk=65536, max_fragment=64, max_text=64) as fake:
            env["ANTHROPIC_BASE_URL"] = fake.base_url
            totals, before = await prompt_latencies(fake, env, tmp, prompts)
            floor = await api_floor(fake, prompts)
    ratio = median(ours) / median(minimal)
    overhead_ms = (median(totals) - median(floor)) * 1000
    rows = [
        ("spawn -> initialize, lsp-agent acp", f"{median(ours) * 1000:.0f} ms", ""),
        ("spawn -> initialize, SDK minimal agent", f"{median(minimal) * 1000:.0f} ms", ""),
        ("ratio", f"{ratio:.2f}", f"<= {RATIO_TARGET}"),
        ("prompt -> first chunk p50", f"{median(totals) * 1000:.1f} ms", ""),
        ("prompt -> first chunk p90", f"{percentile(totals, 90) * 1000:.1f} ms", ""),
        ("prompt -> request at the API p50", f"{median(before) * 1000:.1f} ms", ""),
        ("API floor: request -> first text p50", f"{median(floor) * 1000:.1f} ms", ""),
        ("overhead p50", f"{overhead_ms:.1f} ms", f"<= {OVERHEAD_TARGET_MS}"),
    ]
    print(table(rows, ("measure", "value", "target")))
    save(
        "acp_latency",
        {
            "runs": runs,
            "prompts": prompts,
            "spawn_to_initialize_s": {"ours": ours, "minimal_agent": minimal, "ratio": ratio},
            "prompt_to_first_chunk_s": totals,
            "prompt_to_request_s": before,
            "api_floor_s": floor,
            "overhead_p50_ms": overhead_ms,
        },
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--prompts", type=int, default=20)
    options = parser.parse_args()
    asyncio.run(main(options.runs, options.prompts))
