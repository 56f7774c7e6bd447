"""The index as the editor sees it, through a real `lsp-agent serve` over stdio on "large".

1. workspace/symbol over the whole corpus (>= 70k symbols): p50 <= 10 ms, p99 <= 30 ms, next to
   a no-op request round trip (`lspAgent.settings`) measured in the same run;
2. documentSymbol on `_pydecimal.py` (6,400 lines): didOpen then the first request for it
   <= 40 ms (after one request on a small file, which warms the test client's decoders);
3. server RSS after indexing "large" (and after the searches): <= 150 MB.

    python bench/index_server.py [--queries 300] [--corpus large]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from collections.abc import Collection
from pathlib import Path
from typing import Any

from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent))
from common import median, percentile, save, table
from index_common import CORPORA, STDLIB
from lsp_client import bare_client


def bare_client_for_index(ready: asyncio.Event, raw: Collection[str] = ()) -> LanguageClient:
    client = bare_client(raw)

    @client.feature(types.PROGRESS)
    def progress(params: types.ProgressParams) -> None:
        return None

    @client.feature(types.WINDOW_LOG_MESSAGE)
    def log(params: types.LogMessageParams) -> None:
        if "index ready" in params.message:
            ready.set()

    return client


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def queries(names: list[str], n: int) -> list[str]:
    """A mix of what people type: prefixes, whole names, camel/snake initials, fragments."""
    rng = random.Random(3)
    out = []
    for i in range(n):
        name = rng.choice(names)
        kind = i % 4
        if kind == 0:
            out.append(name[: rng.randint(1, 4)])
        elif kind == 1:
            out.append(name)
        elif kind == 2:
            parts = [p for p in name.replace("_", " ").split() if p]
            out.append("".join(p[0] for p in parts) or name[:2])
        else:
            start = rng.randrange(max(len(name) - 3, 1))
            out.append(name[start : start + 3])
    return out


async def timed(coroutine: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = await coroutine
    return time.perf_counter() - started, result


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--corpus", default="large", choices=sorted(CORPORA))
    args = parser.parse_args()
    root, excludes = CORPORA[args.corpus]
    ready = asyncio.Event()
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "LSP_AGENT_CACHE_DIR": cache, "LSP_AGENT_DATA_DIR": cache}
        config = ClientServerConfig(
            [sys.executable, "-m", "lsp_agent", "serve"],
            server_env=env,
            client_factory=lambda: bare_client_for_index(ready),
        )
        client = await config.start()
        assert isinstance(client, LanguageClient) and client._server is not None
        pid = client._server.pid
        started = time.perf_counter()
        await client.initialize_session(
            types.InitializeParams(
                capabilities=client_capabilities("visual-studio-code"),
                root_uri=root.as_uri(),
                workspace_folders=[types.WorkspaceFolder(root.as_uri(), root.name)],
                initialization_options={"index": {"exclude": excludes}},
            )
        )
        await asyncio.wait_for(ready.wait(), 900)
        index_s = time.perf_counter() - started
        rss_indexed = rss_mb(pid)

        # The Python test client builds its decoders on first use (an editor has them
        # compiled): one documentSymbol on a small file first, so that is not counted.
        small = types.TextDocumentIdentifier((STDLIB / "colorsys.py").as_uri())
        await client.text_document_document_symbol_async(types.DocumentSymbolParams(small))
        # Nothing has touched _pydecimal.py in this server yet.
        target = STDLIB / "_pydecimal.py"
        text = target.read_text(encoding="utf-8")
        started = time.perf_counter()
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(target.as_uri(), "python", 1, text)
            )
        )
        params = types.DocumentSymbolParams(types.TextDocumentIdentifier(target.as_uri()))
        outline = await client.text_document_document_symbol_async(params)
        first_ds = time.perf_counter() - started
        again = [
            (await timed(client.text_document_document_symbol_async(params)))[0] for _ in range(10)
        ]

        everything = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="a"))
        names = sorted({s.name for s in everything} | {s.name for s in outline})
        noop = types.ExecuteCommandParams(command="lspAgent.settings", arguments=[])
        search, floor, hits = [], [], []
        for q in queries(names, args.queries):
            seconds, result = await timed(
                client.workspace_symbol_async(types.WorkspaceSymbolParams(query=q))
            )
            search.append(seconds)
            hits.append(len(result))
            floor.append((await timed(client.workspace_execute_command_async(noop)))[0])
        rss_after = rss_mb(pid)
        await client.shutdown_session()
        await client.stop()

    ms = lambda v: f"{v * 1000:.1f}"  # noqa: E731
    rows = [
        ("no-op request round trip, p50 (floor)", ms(median(floor)), ""),
        ("workspace/symbol p50", ms(median(search)), "<= 10 ms"),
        ("workspace/symbol p99", ms(percentile(search, 99)), "<= 30 ms"),
        ("didOpen + first documentSymbol, _pydecimal.py", ms(first_ds), "<= 40 ms"),
        ("documentSymbol again, p50", ms(median(again)), ""),
        ("index build in the server (s)", f"{index_s:.2f}", ""),
        ("server RSS after indexing (MB)", f"{rss_indexed:.0f}", "<= 150 MB"),
        ("server RSS after the searches (MB)", f"{rss_after:.0f}", "<= 150 MB"),
    ]
    print(f"corpus {args.corpus}, {args.queries} queries, median {median(hits):.0f} results each")
    print(table(rows, ("measurement", "ms / value", "target")))
    save(
        f"index_server_{args.corpus}",
        {
            "corpus": args.corpus,
            "queries": args.queries,
            "workspace_symbol_p50_ms": median(search) * 1000,
            "workspace_symbol_p99_ms": percentile(search, 99) * 1000,
            "noop_p50_ms": median(floor) * 1000,
            "document_symbol_first_ms": first_ds * 1000,
            "document_symbol_again_p50_ms": median(again) * 1000,
            "index_s": index_s,
            "rss_indexed_mb": rss_indexed,
            "rss_after_mb": rss_after,
        },
    )


if __name__ == "__main__":
    asyncio.run(main())
