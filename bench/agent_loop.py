"""Loop overhead per turn, tool time excluded: the agent loop over T tool-calling turns, against
the bare model client making the same number of requests, both to one fake API process with no
delays. Overhead = (loop time - tool time) / T - client time per request. Target: <= 15 ms.

    python bench/agent_loop.py [--turns 30] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from agent_common import API_KEY, fake_server, request
from common import median, save, table

from lsp_agent.agent.disk import DiskDocumentSource, DiskEditSink
from lsp_agent.agent.events import AgentEvent
from lsp_agent.agent.loop import Agent
from lsp_agent.agent.model.client import ClientConfig, ModelClient
from lsp_agent.agent.options import AgentOptions
from lsp_agent.agent.ports import CancelToken
from lsp_agent.agent.tools.base import ToolContext, ToolResult

TARGET_MS = 15.0
TOOL = "Noop"


class Noop:
    """A read-only tool that does nothing, timing itself so its time can be subtracted."""

    name = "Noop"
    description = "Does nothing."
    input_schema: dict[str, Any] = {"type": "object", "properties": {"n": {"type": "integer"}}}
    read_only = True
    spent = 0.0

    async def run(self, tool_input: dict[str, Any], ctx: ToolContext) -> ToolResult:
        start = time.perf_counter()
        result = ToolResult(f"call {tool_input.get('n')} done")
        Noop.spent += time.perf_counter() - start
        return result


def responses(turns: int) -> list[dict[str, Any]]:
    tool_turn = [
        {
            "content": [
                {"type": "text", "text": f"Step {i}: calling the tool."},
                {"type": "tool_use", "name": "Noop", "input": {"n": i}},
            ]
        }
        for i in range(turns - 1)
    ]
    return [*tool_turn, {"content": [{"type": "text", "text": "All done."}]}]


async def loop_run(base_url: str, turns: int, workspace: Path) -> float:
    Noop.spent = 0.0
    events: list[AgentEvent] = []
    client = ModelClient(ClientConfig(base_url=base_url, api_key=API_KEY))
    agent = Agent(
        AgentOptions(cwd=workspace, load_memory=False, allowed_tools=[TOOL]),
        tools=[Noop()],
        documents=DiskDocumentSource(),
        edits=DiskEditSink(),
        on_event=events.append,
        client=client,
    )
    start = time.perf_counter()
    result = await agent.run("go")
    elapsed = time.perf_counter() - start
    await agent.aclose()
    errors = [e for e in events if e.kind == "tool_result" and e.data["is_error"]]
    assert result.subtype == "success" and result.turns == turns and not errors, (result, errors)
    return (elapsed - Noop.spent) / turns


async def client_run(base_url: str, turns: int) -> float:
    client = ModelClient(ClientConfig(base_url=base_url, api_key=API_KEY))
    start = time.perf_counter()
    for _ in range(turns):
        await client.stream(request(), cancel=CancelToken())
    elapsed = time.perf_counter() - start
    await client.aclose()
    return elapsed / turns


async def measure(turns: int, runs: int) -> dict[str, Any]:
    loop_times, client_times = [], []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["LSP_AGENT_DATA_DIR"] = tmp  # transcripts are written, as in real use
        workspace = Path(tmp)
        for _ in range(runs):  # alternate, so machine noise hits both alike
            with fake_server(responses(turns)) as url:
                loop_times.append(await loop_run(url, turns, workspace))
            with fake_server(responses(turns)) as url:
                client_times.append(await client_run(url, turns))
    per_turn, per_request = median(loop_times), median(client_times)
    return {
        "turns": turns,
        "loop_ms_per_turn": round(per_turn * 1000, 2),
        "client_ms_per_request": round(per_request * 1000, 2),
        "loop_overhead_ms_per_turn": round((per_turn - per_request) * 1000, 2),
        "target_ms": TARGET_MS,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=30)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    result = asyncio.run(measure(args.turns, args.runs))
    print(table([(k, str(v)) for k, v in result.items()], ("measure", "value")))
    print(f"saved {save('agent_loop', result)}")
    return 0 if result["loop_overhead_ms_per_turn"] <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
