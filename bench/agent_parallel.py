"""N read-only tool calls in one turn: the time from the first call to the last result, against
the slowest call alone and against running them one after another (the sum). Tools that sleep
stand in for slow read-only work (a Grep over a big tree). Target: <= 1.3 x the slowest.

    python bench/agent_parallel.py [--calls 8] [--runs 3]
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
from agent_common import API_KEY, fake_server
from common import median, save, table

from lsp_agent.agent.disk import DiskDocumentSource, DiskEditSink
from lsp_agent.agent.events import AgentEvent
from lsp_agent.agent.loop import Agent
from lsp_agent.agent.model.client import ClientConfig, ModelClient
from lsp_agent.agent.options import AgentOptions
from lsp_agent.agent.tools.base import ToolContext, ToolResult

TARGET_RATIO = 1.3
TOOL = "SlowRead"


class SlowRead:
    name = "SlowRead"
    description = "Reads slowly."
    input_schema: dict[str, Any] = {"type": "object", "properties": {"seconds": {"type": "number"}}}
    read_only = True

    async def run(self, tool_input: dict[str, Any], ctx: ToolContext) -> ToolResult:
        await asyncio.sleep(tool_input["seconds"])
        return ToolResult("read")


def durations(calls: int) -> list[float]:
    return [0.1 + 0.3 * i / max(calls - 1, 1) for i in range(calls)]  # 0.1 s .. 0.4 s


async def tool_phase(base_url: str, workspace: Path) -> float:
    marks: list[float] = []
    errors: list[dict[str, Any]] = []  # the agent logs a failing sink; check after the run

    def on_event(event: AgentEvent) -> None:
        if event.kind in ("tool_use", "tool_result"):
            marks.append(time.perf_counter())
        if event.kind == "tool_result" and event.data["is_error"]:
            errors.append(event.data)

    agent = Agent(
        AgentOptions(cwd=workspace, load_memory=False, allowed_tools=[TOOL]),
        tools=[SlowRead()],
        documents=DiskDocumentSource(),
        edits=DiskEditSink(),
        on_event=on_event,
        client=ModelClient(ClientConfig(base_url=base_url, api_key=API_KEY)),
    )
    result = await agent.run("go")
    await agent.aclose()
    assert result.subtype == "success" and not errors, (result, errors)
    return marks[-1] - marks[0]


async def measure(calls: int, runs: int) -> dict[str, Any]:
    seconds = durations(calls)
    turn = {
        "content": [
            {"type": "tool_use", "name": "SlowRead", "input": {"seconds": s}} for s in seconds
        ]
    }
    final = {"content": [{"type": "text", "text": "done"}]}
    phases = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["LSP_AGENT_DATA_DIR"] = tmp
        for _ in range(runs):
            with fake_server([turn, final]) as url:
                phases.append(await tool_phase(url, Path(tmp)))
    phase = median(phases)
    return {
        "calls": calls,
        "slowest_s": round(max(seconds), 3),
        "sequential_sum_s": round(sum(seconds), 3),
        "turn_tool_phase_s": round(phase, 3),
        "ratio_to_slowest": round(phase / max(seconds), 3),
        "target_ratio": TARGET_RATIO,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    result = asyncio.run(measure(args.calls, args.runs))
    print(table([(k, str(v)) for k, v in result.items()], ("measure", "value")))
    print(f"saved {save('agent_parallel', result)}")
    return 0 if result["ratio_to_slowest"] <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
