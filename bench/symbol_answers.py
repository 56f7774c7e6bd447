"""workspace/symbol answers as the client receives them, byte for byte, to compare two versions
of the server (a change meant to make search cheaper must not change a single answer).

Runs `python -m lsp_agent serve` from `--tree` (a checkout: `git archive main | tar -x -C
/tmp/main` for the baseline) over stdio, indexes the standard library ("large") from an empty
cache, or from a copy of `--cache` kept from an earlier run (a cold build's symbol ids follow
the pool's order, and so do the definitions of one name in an answer: compare runs on one
database), opens `_pydecimal.py` as the busy benchmark does, and writes one line per query:
the query, then the response exactly as it came off the pipe. Queries: what
bench/index_server.py asks, bench/busy_latency.py --fresh's, and every non-ASCII name the
index holds (their columns are converted to UTF-16). Then, in-process,
`WorkspaceIndex.search` at limits 100, 10 and 1 for the same queries (the index's own answers).

    python bench/symbol_answers.py --tree /tmp/main --cache /tmp/cache --out /tmp/main.txt
    python bench/symbol_answers.py --tree . --cache /tmp/cache --out /tmp/new.txt
    cmp /tmp/main.txt /tmp/new.txt
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from busy_latency import fresh_queries, typed_queries
from index_common import CORPORA
from index_server import queries as mixed_queries

# Queries at the edges of the tiers: empty, separators only, no inner word start, case; and
# fragments found thousands of times that rarely start a word (the word-start tier's long scan).
EDGES = ["", " ", "_", "__", "__init__", ".", "a.b", "get_", "GET", "Get", "x y", "ÄÖ", "zzzz"]
EDGES += ["e", "er", "ng", "ti", "tt", "lf", "ffer", "tion", "self", "ing", "ent", "Err"]


class Peer:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process, self.next_id = process, 0

    def send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    async def read(self) -> bytes:
        assert self.process.stdout is not None
        length = 0
        while (line := await self.process.stdout.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return await self.process.stdout.readexactly(length)

    async def request(self, method: str, params: Any) -> bytes:
        """The response's raw body, answering the server's own requests meanwhile."""
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        while True:
            body = await self.read()
            message = json.loads(body)
            if "method" in message and "id" in message:
                self.send({"id": message["id"], "result": None})
            elif "method" not in message and message.get("id") == self.next_id:
                return body

    async def until_log(self, text: str) -> None:
        while True:
            message = json.loads(await self.read())
            if "method" in message and "id" in message:
                self.send({"id": message["id"], "result": None})
            elif text in json.dumps(message.get("params")):
                return


def non_ascii_names(cache: str) -> list[str]:
    names: list[str] = []
    for db in Path(cache).rglob("*.sqlite3"):
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        names += [n for (n,) in conn.execute("SELECT name FROM names") if not n.isascii()]
        conn.close()
    return sorted(names)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, required=True, help="the checkout to run")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--cache", type=Path, help="an index cache to start from (a copy)")
    args = parser.parse_args()
    tree = args.tree.resolve()
    root, exclude = CORPORA["large"]
    with tempfile.TemporaryDirectory() as home:
        if args.cache and args.cache.exists():
            shutil.copytree(args.cache, f"{home}/cache")
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "LSP_"))},
            "HOME": home,
            "PYTHONPATH": str(tree),
            "LSP_AGENT_CACHE_DIR": f"{home}/cache",
            "LSP_AGENT_DATA_DIR": f"{home}/data",
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "lsp_agent", "serve", cwd=tree, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        peer = Peer(process)
        options = {"index": {"exclude": exclude}, "workspaceTrusted": True}
        await peer.request(
            "initialize",
            {
                "processId": None,
                "rootUri": root.as_uri(),
                "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
                "capabilities": {},
                "initializationOptions": options,
            },
        )
        peer.send({"method": "initialized", "params": {}})
        await peer.until_log("index ready")
        path = root / "_pydecimal.py"
        document = {"uri": path.as_uri(), "languageId": "python", "version": 1}
        peer.send({"method": "textDocument/didOpen", "params": {"textDocument": {
            **document, "text": path.read_text()}}})  # fmt: skip
        everything = json.loads(await peer.request("workspace/symbol", {"query": "a"}))
        names = sorted({s["name"] for s in everything["result"]})
        fresh = fresh_queries(random.Random(7))
        asked = mixed_queries(names, 300) + [next(fresh) for _ in range(200)]
        asked += non_ascii_names(f"{home}/cache") + EDGES
        # Names typed a letter at a time: queries that extend the one before (the search's
        # narrowing, `indexer/search_narrow.py`).
        asked += [q for typed in typed_queries(root, exclude, 150).values() for q in typed]
        lines = []
        for query in asked:
            body = await peer.request("workspace/symbol", {"query": query})
            lines.append(json.dumps(query).encode() + b" " + body)
        await peer.request("shutdown", None)
        peer.send({"method": "exit", "params": None})
        await process.wait()
        code = (
            "import json, sys; from indexer.workspace import WorkspaceIndex;"
            "ix = WorkspaceIndex(sys.argv[1], sys.argv[2], excludes=json.loads(sys.argv[3]));"
            "[print(json.dumps([q, n, [repr(s) for s in ix.search(q, n)]]))"
            " for q in json.load(sys.stdin) for n in (100, 10, 1)]"
        )
        searched = subprocess.run(
            [sys.executable, "-c", code, str(root), f"{home}/cache", json.dumps(exclude)],
            input=json.dumps(asked).encode(), capture_output=True, check=True, cwd=tree,
            env={**env, "PYTHONPATH": str(tree)},
        ).stdout  # fmt: skip
        if args.cache and not args.cache.exists():
            shutil.copytree(f"{home}/cache", args.cache)
    args.out.write_bytes(b"\n".join(lines) + b"\n" + searched)
    print(f"{len(asked)} queries over LSP, {3 * len(asked)} searches in-process -> {args.out}")


if __name__ == "__main__":
    asyncio.run(main())
