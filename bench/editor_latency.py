"""Editor-side latency of the agent, through a real `lsp-agent serve` over stdio.

1. codeAction with the index loaded (CPython's standard library), against a no-op command
   round trip measured in the same run (the floor any request pays);
2. executeCommand -> first `$/progress` of the run, against the executeCommand answer itself;
3. a text delta: the model server (in this process) stamps each delta with its send time, and
   the client (also in this process) measures when the `lspAgent/stream` text arrives;
4. cancellation: `lspAgent.cancel` while the model is mid-stream -> the run's `done`.

Targets (issue 5): codeAction p50 <= 5 ms; first progress <= 50 ms; text delta p99 <= 20 ms;
cancel <= 500 ms.

    python bench/editor_latency.py [--actions 300] [--runs 20] [--deltas 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import sysconfig
import tempfile
import time
from pathlib import Path
from typing import Any

from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

sys.path.insert(0, str(Path(__file__).parent))
from common import median, percentile, save, serve_requests, table
from lsp_client import bare_client, initialize

STDLIB = Path(sysconfig.get_paths()["stdlib"])
MEDIUM_EXCLUDE = ["site-packages/", "test/", "tests/", "idlelib/", "__pycache__/"]


class ModelServer:
    """Answers every Messages request at once: a short text, or `deltas` stamped deltas."""

    def __init__(self) -> None:
        self.deltas = 0
        self.gap_s = 0.002
        self.hold = False  # stop after the first delta and keep the connection open
        self.holding = asyncio.Event()
        self.server: asyncio.Server | None = None

    async def start(self) -> str:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await serve_requests(reader, writer, self._answer)

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
            b"transfer-encoding: chunked\r\n\r\n"
        )
        usage = {"input_tokens": 10, "output_tokens": 1}
        message = {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": "m",
            "content": [],
            "usage": usage,
        }
        await self._event(writer, {"type": "message_start", "message": message})
        await self._event(
            writer,
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "text", "text": ""},
            },
        )
        if self.hold:
            await self._event(
                writer,
                {
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {"type": "text_delta", "text": "thinking"},
                },
            )
            self.holding.set()
            await reader.read()  # until the client hangs up (the run was cancelled)
            writer.close()
            return
        for _ in range(max(1, self.deltas)):
            stamp = f"{time.perf_counter():.7f};" if self.deltas else "ok"
            await self._event(
                writer,
                {
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {"type": "text_delta", "text": stamp},
                },
            )
            if self.deltas:
                await asyncio.sleep(self.gap_s)
        await self._event(writer, {"type": "content_block_stop", "index": 0})
        await self._event(
            writer,
            {
                "type": "message_delta",
                "usage": {"output_tokens": 5},
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
            },
        )
        await self._event(writer, {"type": "message_stop"})
        writer.write(b"0\r\n\r\n")
        await writer.drain()

    async def _event(self, writer: asyncio.StreamWriter, event: dict[str, Any]) -> None:
        data = f"event: {event['type']}\ndata: {json.dumps(event)}\n\n".encode()
        writer.write(b"%x\r\n%s\r\n" % (len(data), data))
        await writer.drain()


async def cancel_latency(
    client: LanguageClient, probe: Probe, model: ModelServer, uri: str, runs: int
) -> list[float]:
    """lspAgent.cancel sent -> the run's `done` received, with the model mid-stream."""
    model.hold = True
    latencies = []
    for i in range(runs):
        model.holding.clear()
        started = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(
                command="lspAgent.ask", arguments=[{"uri": uri, "prompt": f"hold {i}"}]
            )
        )
        await asyncio.wait_for(model.holding.wait(), 30)
        sent = time.perf_counter()
        await client.workspace_execute_command_async(
            types.ExecuteCommandParams(
                command="lspAgent.cancel", arguments=[{"sessionId": started["sessionId"]}]
            )
        )
        await asyncio.wait_for(probe.done.get(), 30)
        latencies.append(time.perf_counter() - sent)
    model.hold = False
    return latencies


class Probe:
    """The client's view: arrival times of progress and stream notifications."""

    def __init__(self, client: LanguageClient) -> None:
        self.progress: dict[str, float] = {}
        self.delta_latency: list[float] = []
        self.done: asyncio.Queue[str] = asyncio.Queue()
        self.ready = asyncio.Event()

        @client.feature(types.PROGRESS)
        def on_progress(params: types.ProgressParams) -> None:
            self.progress.setdefault(str(params.token), time.perf_counter())

        @client.feature(types.WINDOW_LOG_MESSAGE)
        def on_log(params: types.LogMessageParams) -> None:
            if "index ready" in params.message:
                self.ready.set()

        @client.feature("lspAgent/stream")
        def on_stream(params: Any) -> None:
            now = time.perf_counter()
            kind = params["kind"] if isinstance(params, dict) else params.kind
            if kind == "text":
                text = params["text"] if isinstance(params, dict) else params.text
                self.delta_latency += [now - float(s) for s in text.split(";") if s]
            elif kind == "done":
                self.done.put_nowait(
                    params["sessionId"] if isinstance(params, dict) else params.sessionId
                )


async def start(base_url: str, root: Path, cache: Path) -> tuple[LanguageClient, Probe]:
    env = {
        **os.environ,
        "ANTHROPIC_BASE_URL": base_url,
        "ANTHROPIC_API_KEY": "sk-bench",
        "LSP_AGENT_CACHE_DIR": str(cache),
        "LSP_AGENT_DATA_DIR": str(cache / "data"),
    }
    config = ClientServerConfig(
        [sys.executable, "-m", "lsp_agent", "serve"], server_env=env, client_factory=bare_client
    )
    client = await config.start()
    assert isinstance(client, LanguageClient)
    probe = Probe(client)
    await initialize(
        client, root, {"index": {"exclude": MEDIUM_EXCLUDE}, "permissionMode": "acceptEdits"}
    )
    return client, probe


async def timed(coroutine: Any) -> float:
    started = time.perf_counter()
    await coroutine
    return time.perf_counter() - started


async def code_actions(client: LanguageClient, uri: str, n: int) -> tuple[list[float], list[float]]:
    diagnostics = [
        types.Diagnostic(
            range=types.Range(types.Position(100 + i, 0), types.Position(100 + i, 9)),
            message=f"problem {i}",
            source="bench",
        )
        for i in range(3)
    ]
    params = types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri),
        range=types.Range(types.Position(100, 0), types.Position(102, 0)),
        context=types.CodeActionContext(diagnostics=diagnostics),
    )
    noop = types.ExecuteCommandParams(command="lspAgent.settings", arguments=[])
    actions, floor = [], []
    for _ in range(n):
        actions.append(await timed(client.text_document_code_action_async(params)))
        floor.append(await timed(client.workspace_execute_command_async(noop)))
    return actions, floor


async def first_progress(
    client: LanguageClient, probe: Probe, uri: str, runs: int
) -> tuple[list[float], list[float]]:
    firsts, answers = [], []
    for i in range(runs):
        known = set(probe.progress)
        sent = time.perf_counter()
        await client.workspace_execute_command_async(
            types.ExecuteCommandParams(
                command="lspAgent.ask", arguments=[{"uri": uri, "prompt": f"question {i}"}]
            )
        )
        answers.append(time.perf_counter() - sent)
        await asyncio.wait_for(probe.done.get(), 30)
        new = [
            t for token, t in probe.progress.items() if token not in known and "index" not in token
        ]
        firsts.append(min(new) - sent)
    return firsts, answers


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=300)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--deltas", type=int, default=200)
    args = parser.parse_args()
    model = ModelServer()
    base_url = await model.start()
    with tempfile.TemporaryDirectory() as cache:
        client, probe = await start(base_url, STDLIB, Path(cache))
        await asyncio.wait_for(probe.ready.wait(), 600)
        path = STDLIB / "_pydecimal.py"
        uri = path.as_uri()
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(
                    uri=uri, language_id="python", version=1, text=path.read_text()
                )
            )
        )
        actions, floor = await code_actions(client, uri, args.actions)
        firsts, answers = await first_progress(client, probe, uri, args.runs)
        cancels = await cancel_latency(client, probe, model, uri, args.runs)
        model.deltas = args.deltas
        await client.workspace_execute_command_async(
            types.ExecuteCommandParams(
                command="lspAgent.ask", arguments=[{"uri": uri, "prompt": "stream"}]
            )
        )
        await asyncio.wait_for(probe.done.get(), 60)
        await client.shutdown_session()
        await client.stop()
    deltas = probe.delta_latency
    ms = lambda v: f"{v * 1000:.2f} ms"  # noqa: E731
    rows = [
        (
            "codeAction (index loaded)",
            ms(median(actions)),
            ms(percentile(actions, 99)),
            ms(median(floor)),
            "p50 <= 5 ms",
        ),
        (
            "executeCommand -> first $/progress",
            ms(median(firsts)),
            ms(percentile(firsts, 99)),
            ms(median(answers)),
            "<= 50 ms",
        ),
        (
            "model text delta -> lspAgent/stream",
            ms(median(deltas)),
            ms(percentile(deltas, 99)),
            "-",
            "p99 <= 20 ms",
        ),
        (
            "lspAgent.cancel -> done (mid-stream)",
            ms(median(cancels)),
            ms(max(cancels)),
            "-",
            "max <= 500 ms",
        ),
    ]
    print(table(rows, ("measure", "p50", "p99", "baseline p50", "target")))
    print("baselines: a no-op command round trip; the executeCommand answer itself")
    save(
        "editor_latency",
        {
            "code_action_s": {
                "p50": median(actions),
                "p99": percentile(actions, 99),
                "noop_p50": median(floor),
            },
            "first_progress_s": {
                "p50": median(firsts),
                "p99": percentile(firsts, 99),
                "execute_answer_p50": median(answers),
            },
            "text_delta_s": {
                "p50": median(deltas),
                "p99": percentile(deltas, 99),
                "n": len(deltas),
            },
            "cancel_s": {"p50": median(cancels), "max": max(cancels)},
        },
    )
    ok = (
        median(actions) <= 0.005
        and median(firsts) <= 0.05
        and percentile(deltas, 99) <= 0.02
        and max(cancels) <= 0.5
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
