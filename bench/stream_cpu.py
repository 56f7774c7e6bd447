"""Server CPU for a long streamed answer, against the headless CLI for the same stream (issue 17).

A loopback model server streams one answer of `--mb` megabytes in 4-character text deltas
(the SSE bytes are built once and written in large chunks, so the model side costs little).
The same stream goes through `lsp-agent ask --output-format text` (stdout discarded) and through
a real `lsp-agent serve` driven by an LSP client that receives every `lspAgent/stream`
notification. Each process's own CPU time (user + system, from /proc/<pid>/stat for the server,
rusage for the CLI) is reported; runs alternate. Target: server <= 3x the CLI.

    python bench/stream_cpu.py [--mb 20] [--runs 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import tempfile
from pathlib import Path
from typing import Any

from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

sys.path.insert(0, str(Path(__file__).parent))
from common import median, save, table

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


class Model:
    def __init__(self, body: bytes) -> None:
        self.body = body

    async def start(self) -> str:
        server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                await reader.readexactly(length)
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
                    b"content-length: %d\r\n\r\n" % len(self.body)
                )
                for start in range(0, len(self.body), 1 << 20):
                    writer.write(self.body[start : start + (1 << 20)])
                    await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, StopIteration):
            writer.close()


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
    client = await ClientServerConfig(server_command=[*COMMAND, "serve"], server_env=env).start()
    assert isinstance(client, LanguageClient)
    done = asyncio.Event()
    received = [0]

    @client.feature("lspAgent/stream")
    def on_stream(params: Any) -> None:
        received[0] += 1
        if getattr(params, "kind", None) == "done" or (
            isinstance(params, dict) and params.get("kind") == "done"
        ):
            done.set()

    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=workspace.as_uri(),
            initialization_options={"permissionMode": "bypassPermissions"},
        )
    )
    uri = (workspace / "hello.py").as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, "x = 1\n"))
    )
    await client.workspace_execute_command_async(
        types.ExecuteCommandParams("lspAgent.ask", [{"uri": uri, "prompt": "talk"}])
    )
    await done.wait()
    assert client._server is not None
    cpu = proc_cpu(client._server.pid)
    await client.shutdown_session()
    await client.stop()
    return cpu, received[0]


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
