"""Providers against their fakes (Anthropic, OpenAI-compatible, Ollama, Vertex, Foundry,
Bedrock): stream throughput per provider, loop overhead per turn and `lsp-agent ask` start-up,
each with the direct Anthropic path measured in the same run as the baseline.

Throughput: the same answer (long text + a large tool input) as each provider's bytes, folded
through the provider's `read` in memory (CPU seconds, as bench/agent_sse.py). Loop overhead: the
agent loop over T tool-calling turns against the provider's fake server in this process, minus
the bare client making the same requests to the same fake; per turn. Start-up: wall seconds from
spawning `lsp-agent ask` (one one-turn question against the provider's fake) to its exit, so it
counts importing the provider's module and its extra (botocore, google-auth is not needed with a
gateway token, azure-identity for Foundry without a key). Targets as for the Anthropic client:
>= 20 MB/s, <= 15 ms per turn; start-up: the default provider's stays the baseline.

    python bench/providers.py [--turns 20] [--runs 3] [--chars 300000] [--startup-runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from agent_loop import TOOL, Noop, responses
from agent_sse import response, stream_bytes
from common import median, save, table

from lsp_agent import settings
from lsp_agent.agent.disk import DiskDocumentSource, DiskEditSink
from lsp_agent.agent.loop import Agent
from lsp_agent.agent.model.client import ModelClient
from lsp_agent.agent.model.providers import make_client
from lsp_agent.agent.options import AgentOptions
from lsp_agent.agent.ports import CancelToken
from lsp_agent.testing.fake_anthropic import FakeAnthropic
from lsp_agent.testing.fake_azure_identity import FakeAzureIdentity
from lsp_agent.testing.fake_bedrock import FakeBedrock, chunk_frame
from lsp_agent.testing.fake_openai import FakeOpenAI
from lsp_agent.testing.fake_vertex import FakeVertex

TARGET_MB_S, TARGET_MS = 20.0, 15.0
TOKEN = "bench-token"


def chat_bytes(chars: int, dialect: str) -> bytes:
    text = ("The quick brown fox jumps over the lazy dog. " * (chars // 45 + 1))[:chars]
    content = ("x = compute(1, 2)\n" * (chars // 18 + 1))[: chars // 2]
    tool = {
        "type": "tool_use",
        "name": "Write",
        "input": {"file_path": "/a.py", "content": content},
    }
    fake = FakeOpenAI({"responses": []}, dialect=dialect, max_text=32, max_fragment=128)
    request = {"stream_options": {"include_usage": True}}
    chunks = fake.chunks_for({"content": [{"type": "text", "text": text}, tool]}, request)
    return b"".join(f"data: {json.dumps(c)}\n\n".encode() for c in chunks) + b"data: [DONE]\n\n"


def bedrock_bytes(chars: int) -> bytes:
    """The same answer as agent_sse's Anthropic stream, as Bedrock's event-stream frames."""
    text = ("The quick brown fox jumps over the lazy dog. " * (chars // 45 + 1))[:chars]
    content = ("x = compute(1, 2)\n" * (chars // 18 + 1))[: chars // 2]
    tool = {
        "type": "tool_use",
        "name": "Write",
        "input": {"file_path": "/a.py", "content": content},
    }
    fake = FakeAnthropic({"responses": []}, max_text=32, max_fragment=128)
    events = fake.events_for({"content": [{"type": "text", "text": text}, tool]}, {})
    return b"".join(chunk_frame(e) for e in events)


async def parse_seconds(client: ModelClient, data: bytes) -> float:
    start = time.process_time()
    snapshot = await client.read(response(data), CancelToken(), None)
    assert snapshot.done and snapshot.tool_uses
    return time.process_time() - start


def provider_environ(provider: str, url: str) -> dict[str, str]:
    """Each provider's variables, pointed at its fake at `url`."""
    foundry = {"CLAUDE_CODE_USE_FOUNDRY": "1", "ANTHROPIC_FOUNDRY_BASE_URL": url}
    return {
        "anthropic": {"ANTHROPIC_BASE_URL": url, "ANTHROPIC_API_KEY": "k"},
        "openai": {"LSP_AGENT_PROVIDER": "openai", "OPENAI_BASE_URL": f"{url}/v1"},
        "bedrock": {
            "CLAUDE_CODE_USE_BEDROCK": "1",
            "ANTHROPIC_BEDROCK_BASE_URL": url,
            "AWS_BEARER_TOKEN_BEDROCK": TOKEN,
        },
        "vertex": {
            "CLAUDE_CODE_USE_VERTEX": "1",
            "ANTHROPIC_VERTEX_PROJECT_ID": "p",
            "ANTHROPIC_VERTEX_BASE_URL": f"{url}/v1",
            "CLAUDE_CODE_SKIP_VERTEX_AUTH": "1",
            "ANTHROPIC_AUTH_TOKEN": TOKEN,
        },
        "foundry": {**foundry, "ANTHROPIC_FOUNDRY_API_KEY": TOKEN},
        "foundry-entra": foundry,  # a token from Azure's chain (FakeAzureIdentity)
    }[provider]


def client_for(provider: str, fake: FakeAnthropic | None) -> ModelClient:
    url = fake.base_url if fake is not None else "http://127.0.0.1:9"
    environ = provider_environ(provider, url)
    config, _ = settings.merge([("environment", settings.env_layer(environ))])
    return make_client(config, environ)


def fake_for(provider: str, scenario: dict[str, Any]) -> FakeAnthropic:
    if provider == "openai":
        return FakeOpenAI(scenario)
    if provider == "vertex":
        return FakeVertex(scenario, token=TOKEN)
    if provider == "bedrock":
        return FakeBedrock(scenario, token=TOKEN)
    return FakeAnthropic(scenario)


async def loop_and_client(provider: str, turns: int, workspace: Path) -> tuple[float, float]:
    scenario = {"responses": responses(turns)}
    async with fake_for(provider, scenario) as fake:
        Noop.spent = 0.0
        agent = Agent(
            AgentOptions(cwd=workspace, load_memory=False, allowed_tools=[TOOL]),
            tools=[Noop()],
            documents=DiskDocumentSource(),
            edits=DiskEditSink(),
            client=client_for(provider, fake),
        )
        start = time.perf_counter()
        result = await agent.run("go")
        loop = (time.perf_counter() - start - Noop.spent) / turns
        await agent.aclose()
        assert result.subtype == "success" and result.turns == turns, result
    plain = {"responses": [{"content": [{"type": "text", "text": "ok"}]}] * turns}
    async with fake_for(provider, plain) as fake:
        client = client_for(provider, fake)
        request = {"model": "m", "max_tokens": 64, "messages": [{"role": "user", "content": "x"}]}
        start = time.perf_counter()
        for _ in range(turns):
            await client.stream(request, cancel=CancelToken())
        per_request = (time.perf_counter() - start) / turns
        await client.aclose()
    return loop, per_request


STARTUP = ("anthropic", "openai", "vertex", "foundry", "foundry-entra", "bedrock")
ONE_TURN = {"responses": [{"content": [{"type": "text", "text": "ok"}]}]}
_SCRIPT = Path(sys.executable).parent / "lsp-agent"
ASK = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "lsp_agent"]


@contextlib.contextmanager
def azure_identity(provider: str) -> Iterator[dict[str, str]]:
    """For Foundry without a key: a managed-identity endpoint that Azure's chain finds."""
    if provider != "foundry-entra":
        yield {}
        return
    with FakeAzureIdentity(token=TOKEN) as azure:
        yield azure.environ()


async def ask_seconds(provider: str, tmp: Path) -> float:
    """Wall seconds of one `lsp-agent ask` through `provider`, spawn to exit."""
    async with fake_for(provider.removesuffix("-entra"), ONE_TURN) as fake:
        with azure_identity(provider) as azure:
            env = {
                "PATH": os.environ.get("PATH", ""),
                "HOME": str(tmp / "home"),
                "LSP_AGENT_DATA_DIR": str(tmp / "data"),
                **provider_environ(provider, fake.base_url),
                **azure,
            }
            start = time.perf_counter()
            process = await asyncio.create_subprocess_exec(
                *ASK,
                "ask",
                "--cwd",
                str(tmp),
                "hi",
                env=env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            _, err = await process.communicate()
            elapsed = time.perf_counter() - start
    assert process.returncode == 0, (provider, err.decode()[-800:])
    return elapsed


async def startup(runs: int) -> dict[str, Any]:
    seconds: dict[str, list[float]] = {p: [] for p in STARTUP}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(runs):  # interleaved, so machine noise hits each alike
            for provider in STARTUP:
                seconds[provider].append(await ask_seconds(provider, Path(tmp)))
    medians = {p: median(v) for p, v in seconds.items()}
    return {
        "ask_startup_s": {p: round(s, 3) for p, s in medians.items()},
        "ask_startup_ratio_vs_anthropic": {
            p: round(s / medians["anthropic"], 2) for p, s in medians.items()
        },
        "startup_runs": runs,
    }


async def measure(turns: int, runs: int, chars: int) -> dict[str, Any]:
    messages_api = stream_bytes(chars, 32)  # Vertex and Foundry stream the API's own events
    streams = {
        "anthropic": messages_api,
        "openai": chat_bytes(chars, "openai"),
        "ollama": chat_bytes(chars, "ollama"),
        "vertex": messages_api,
        "foundry": messages_api,
        "bedrock": bedrock_bytes(chars),
    }
    parse: dict[str, list[float]] = {name: [] for name in streams}
    for _ in range(runs):  # interleaved, so machine noise hits each alike
        for name, data in streams.items():
            client = client_for("openai" if name == "ollama" else name, None)
            parse[name].append(await parse_seconds(client, data))
    throughput = {n: round(len(streams[n]) / 1e6 / median(t), 1) for n, t in parse.items()}
    names = ("anthropic", "openai", "vertex", "foundry", "bedrock")
    loops: dict[str, list[tuple[float, float]]] = {p: [] for p in names}
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["LSP_AGENT_DATA_DIR"] = tmp
        for _ in range(runs):
            for provider in loops:
                loops[provider].append(await loop_and_client(provider, turns, Path(tmp)))
    overhead = {
        p: round(median([loop - client for loop, client in v]) * 1000, 2) for p, v in loops.items()
    }
    return {
        "throughput_mb_s": throughput,
        "throughput_ratio_vs_anthropic": {
            n: round(v / throughput["anthropic"], 2) for n, v in throughput.items()
        },
        "loop_ms_per_turn": {
            p: round(median([lp for lp, _ in v]) * 1000, 2) for p, v in loops.items()
        },
        "loop_overhead_ms_per_turn": overhead,
        "turns": turns,
        "runs": runs,
        "targets": {"mb_s": TARGET_MB_S, "overhead_ms": TARGET_MS},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--chars", type=int, default=300_000)
    parser.add_argument("--startup-runs", type=int, default=5)
    args = parser.parse_args()
    result = asyncio.run(measure(args.turns, args.runs, args.chars))
    result.update(asyncio.run(startup(args.startup_runs)))
    rows = [
        (
            name,
            str(result["throughput_mb_s"].get(name, "")),
            str(result["throughput_ratio_vs_anthropic"].get(name, "")),
            str(result["loop_ms_per_turn"].get(name, "")),
            str(result["loop_overhead_ms_per_turn"].get(name, "")),
        )
        for name in ("anthropic", "openai", "ollama", "vertex", "foundry", "bedrock")
    ]
    print(table(rows, ("provider", "MB/s", "vs anthropic", "loop ms/turn", "overhead ms/turn")))
    starts = [
        (p, str(result["ask_startup_s"][p]), str(result["ask_startup_ratio_vs_anthropic"][p]))
        for p in STARTUP
    ]
    print(table(starts, ("provider", "ask start-up s", "vs anthropic")))
    print(f"saved {save('providers', result)}")
    slow = min(result["throughput_mb_s"].values()) < TARGET_MB_S
    heavy = max(result["loop_overhead_ms_per_turn"].values()) > TARGET_MS
    return 1 if slow or heavy else 0


if __name__ == "__main__":
    sys.exit(main())
