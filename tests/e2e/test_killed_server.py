"""A server killed while its index builds leaves no process behind: the index's worker pool
(started through a fork server once the server runs threads) exits with its owner."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

from tests.e2e.rawlsp import RawPeer

FILES = 600  # enough for a pool and a few seconds of parsing on a slow machine


def descendants(pid: int) -> set[int]:
    """Every live process below `pid`, from /proc's parent links."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rpartition(")")[2].split()
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pids: set[int]) -> set[int]:
    return {pid for pid in pids if Path(f"/proc/{pid}").exists() and not _zombie(pid)}


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] == "Z"
    except OSError:
        return False


async def test_a_killed_server_leaves_no_index_worker_behind(
    env: dict[str, str], workspace: Path
) -> None:
    body = "".join(f"def function_{i}(a, b):\n    return a + b * {i}\n\n" for i in range(300))
    for i in range(FILES):
        (workspace / f"module_{i}.py").write_text(f"class Thing{i}:\n    pass\n\n" + body)
    peer = await RawPeer.start(env)
    params = {"processId": None, "rootUri": workspace.as_uri(), "capabilities": {}}
    await peer.response(peer.request("initialize", params))
    peer.send({"method": "initialized", "params": {}})
    server = peer.process.pid
    workers: set[int] = set()
    async with asyncio.timeout(60):
        while len(workers) < 3:  # the fork server and at least two workers
            await asyncio.sleep(0.05)
            workers = descendants(server)
    os.kill(server, signal.SIGKILL)
    # The wait ends once the server's stdout closes, which a leftover worker would hold open:
    # an editor waiting for the server to go would wait too.
    async with asyncio.timeout(30):
        await peer.process.wait()
        while alive(workers):
            await asyncio.sleep(0.1)
