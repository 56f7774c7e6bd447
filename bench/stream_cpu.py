"""Server CPU for a long streamed answer, against the headless CLI for the same stream (issue 17).

A loopback model server streams one answer of `--mb` megabytes in 4-character text deltas
(the SSE bytes are built once and written in large chunks, so the model side costs little).
The same stream goes through `lsp-agent ask --output-format text` (stdout discarded) and through
a real `lsp-agent serve` driven by an LSP client that receives every `lspAgent/stream`
notification. Each process's own CPU time (user + system, from /proc/<pid>/stat for the server,
rusage for the CLI); the client is a raw JSON-RPC reader, so the client's own decoding does not
hold the server back is reported; runs alternate. Target: server <= 3x the CLI.

    python bench/stream_cpu.py [--mb 20] [--runs 1]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from common import LoopbackModel, median, save, table

_SCRIPT = Path(sys.executable).parent / "lsp-agent"
COMMAND = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "lsp_agent"]
DELTA = 4
TARGET_RATIO = 3.0


def sse_stream(megabytes: float) -> bytes:
    def event(data: dict[str, Any]) -> bytes:
        return f"event: {data['type']}\ndata: {json.dumps(data)}\n\n".encode()

    usage = {"input_tokens": 10, "output_tokens": 1}
    message = {"id": "msg_1", "type": "message", "role": "assistant", "model": "m"}
    parts = [
        event({"type": "message_start", "message": {**message, "content": [], "usage": usage}}),
        event(
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "text", "text": ""},
            }
        ),
    ]
    delta = event(
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "abc "}}
    )
    parts.append(delta * int(megabytes * 1_000_000 / DELTA))
    parts += [
        event({"type": "content_block_stop", "index": 0}),
        event(
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {"output_tokens": 1},
            }
        ),
        event({"type": "message_stop"}),
    ]
    return b"".join(parts)


class Model(LoopbackModel):
    def __init__(self, body: bytes) -> None:
        self.body = body

    async def answer(self, _: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
            b"content-length: %d\r\n\r\n" % len(self.body)
        )
        for start in range(0, len(self.body), 1 << 20):
            writer.write(self.body[start : start + (1 << 20)])
            await writer.drain()


def environment(base_url: str, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "LSP_AGENT_"))}
    env.update(
        ANTHROPIC_BASE_URL=base_url,
        ANTHROPIC_API_KEY="sk-bench-key",
        HOME=str(home),
        LSP_AGENT_DATA_DIR=str(home / "data"),
        LSP_AGENT_CACHE_DIR=str(home / "cache"),
        LSP_AGENT_INDEX_ENABLED="false",
    )
    return env


async def cli_cpu(env: dict[str, str], workspace: Path) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    process = await asyncio.create_subprocess_exec(
        *COMMAND,
        "ask",
        "--cwd",
        str(workspace),
        "talk",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    assert await process.wait() == 0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def proc_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def server_cpu(env: dict[str, str], workspace: Path) -> tuple[float, int]:
    """The server's CPU for one run, driven by a raw JSON-RPC client: decoding millions of
    notifications through a typed client costs more than the server itself."""
    process = await asyncio.create_subprocess_exec(
        *COMMAND,
        "serve",
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    assert process.stdin is not None and process.stdout is not None
    stdin, stdout = process.stdin, process.stdout

    def send(message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    async def read() -> bytes:
        length = 0
        while (line := await stdout.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return await stdout.readexactly(length)

    uri = (workspace / "hello.py").as_uri()
    init = {
        "processId": None,
        "rootUri": workspace.as_uri(),
        "capabilities": {},
        "initializationOptions": {"permissionMode": "bypassPermissions"},
    }
    send({"id": 1, "method": "initialize", "params": init})
    send({"method": "initialized", "params": {}})
    item = {"uri": uri, "languageId": "python", "version": 1, "text": "x = 1\n"}
    send({"method": "textDocument/didOpen", "params": {"textDocument": item}})
    ask = {"command": "lspAgent.ask", "arguments": [{"uri": uri, "prompt": "talk"}]}
    send({"id": 2, "method": "workspace/executeCommand", "params": ask})
    received = 0
    while True:
        body = await read()
        if b'"lspAgent/stream"' in body:
            received += 1
            if b'"kind": "done"' in body or b'"kind":"done"' in body:
                break
        elif b'"method"' in body and b'"id"' in body:  # a request of the server's: answer null
            send({"id": json.loads(body)["id"], "result": None})
    cpu = proc_cpu(process.pid)
    send({"id": 3, "method": "shutdown"})
    send({"method": "exit"})
    stdin.close()
    with contextlib.suppress(Exception):
        await asyncio.wait_for(stdout.read(), 20)
    await process.wait()
    return cpu, received


async def main(megabytes: float, runs: int) -> None:
    model = Model(sse_stream(megabytes))
    base_url = await model.start()
    cli, server, notifications = [], [], 0
    with tempfile.TemporaryDirectory() as tmp:
        home, workspace = Path(tmp) / "home", Path(tmp) / "ws"
        workspace.mkdir(parents=True)
        (workspace / "hello.py").write_text("x = 1\n")
        env = environment(base_url, home)
        for _ in range(runs):
            cli.append(await cli_cpu(env, workspace))
            cpu, notifications = await server_cpu(env, workspace)
            server.append(cpu)
    ratio = median(server) / median(cli)
    rows = [
        ("headless CLI (lsp-agent ask)", f"{median(cli):.2f}"),
        ("server (lsp-agent serve)", f"{median(server):.2f}"),
        ("ratio server / CLI", f"{ratio:.2f} (target <= {TARGET_RATIO:g})"),
    ]
    print(
        f"{megabytes:g} MB in {DELTA}-character deltas; {notifications} notifications to the client"
    )
    print(table(rows, ("process", "CPU seconds (median)")))
    save("stream_cpu", {"mb": megabytes, "cli_cpu_s": cli, "server_cpu_s": server, "ratio": ratio})


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=20.0)
    parser.add_argument("--runs", type=int, default=1)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.mb, arguments.runs))
