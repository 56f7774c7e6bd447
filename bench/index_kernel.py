"""The index at monorepo scale: the Linux 6.1 tree, next to universal-ctags in the same run.

Nothing is downloaded at run time beyond Debian's own packages: the source comes from the
`linux-source-6.1` package (installed with apt-get when apt is present; otherwise the script
says so and stops) and is unpacked under the cache directory, not in the repository, with the
two lines Debian appends to the top `.gitignore` removed. ctags is the `universal-ctags`
package. Rows (issue 18):

1. cold `lsp-agent index`: seconds and peak RSS (all its processes), next to `ctags -R`;
2. warm re-open, nothing changed (`lsp-agent index` again), and one file changed;
3. database size (with the search file) next to the tags file;
4. `lsp-agent serve`, warm cache: spawn -> "index ready", and spawn -> first workspace/symbol
   answer (it may come before ready);
5. workspace/symbol p50/p99 over the whole tree, next to a no-op request round trip;
6. server RSS after opening, and after the searches.

    python bench/index_kernel.py [--queries 300] [--keep-index] [--dir DIR]
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
import threading
import time
from pathlib import Path

from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent))
from common import median, percentile, save, table
from index_server import bare_client_for_index, queries, rss_mb, timed

PACKAGE = "linux-source-6.1"
TARBALL = Path(f"/usr/src/{PACKAGE}.tar.xz")
DEBIAN_LINES = ("/*", "!/debian/")  # what Debian appends to the top .gitignore
DEFAULT_DIR = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "lsp-agent-bench"


def apt_install(packages: list[str]) -> bool:
    """Install Debian packages once (apt-get update first); False when apt is not there."""
    if shutil.which("apt-get") is None:
        return False
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", *packages], check=True)
    return True


def prepare(workdir: Path) -> Path | None:
    """The unpacked tree (unpacking it the first time), or None when it cannot be had."""
    missing = [
        p for p, ok in ((PACKAGE, TARBALL.exists()), ("universal-ctags", _ctags())) if not ok
    ]
    if missing and not apt_install(missing):
        print(f"skipped: no apt-get to install {', '.join(missing)}", file=sys.stderr)
        return None
    root = workdir / PACKAGE
    if not (root / "MAINTAINERS").exists():
        shutil.rmtree(root, ignore_errors=True)
        workdir.mkdir(parents=True, exist_ok=True)
        print(f"unpacking {TARBALL} into {workdir}", file=sys.stderr)
        subprocess.run(["tar", "xf", str(TARBALL), "-C", str(workdir)], check=True)
    gitignore = root / ".gitignore"
    lines = gitignore.read_text().splitlines()
    kept = [line for line in lines if line not in DEBIAN_LINES]
    if kept != lines:
        gitignore.write_text("\n".join(kept) + "\n")
    return root


def _ctags() -> bool:
    found = shutil.which("ctags")
    if found is None:
        return False
    out = subprocess.run([found, "--version"], capture_output=True, text=True).stdout
    return "Universal Ctags" in out


class PeakRss:
    """Polls the summed RSS of a process and its descendants (MB) until stopped."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak = pid, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, sum(rss_mb(p) for p in _tree(self.pid)))

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                todo += [
                    int(c) for c in Path(f"/proc/{p}/task/{task}/children").read_text().split()
                ]
        except OSError:
            continue
    return out


def run_measured(
    command: list[str], env: dict[str, str], out: list[str] | None = None
) -> tuple[float, float]:
    """(seconds, peak RSS of the process tree in MB) of one command (its output into `out`)."""
    started = time.perf_counter()
    stdout = subprocess.PIPE if out is not None else subprocess.DEVNULL
    proc = subprocess.Popen(command, env=env, stdout=stdout, text=True)
    rss = PeakRss(proc.pid)
    printed, _ = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"{command} failed with {proc.returncode}")
    if out is not None:
        out.append(printed)
    return time.perf_counter() - started, rss.stop()


def sample_names(db: Path, n: int) -> list[str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    last = conn.execute("SELECT max(id) FROM symbols").fetchone()[0]
    rng = random.Random(18)
    names = []
    for _ in range(n):
        row = conn.execute(
            "SELECT n.name FROM symbols s JOIN names n ON n.id = s.name_id WHERE s.id >= ? LIMIT 1",
            (rng.randint(1, last),),
        ).fetchone()
        names.append(row[0])
    conn.close()
    return names


async def serve(root: Path, env: dict[str, str], names: list[str], n: int) -> dict[str, float]:
    ready = asyncio.Event()
    config = ClientServerConfig(
        [sys.executable, "-m", "lsp_agent", "serve"],
        server_env=env,
        client_factory=lambda: bare_client_for_index(ready),
    )
    started = time.perf_counter()
    client = await config.start()
    assert isinstance(client, LanguageClient) and client._server is not None
    pid = client._server.pid
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(root.as_uri(), root.name)],
        )
    )
    first = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="kmalloc"))
    first_s = time.perf_counter() - started
    await asyncio.wait_for(ready.wait(), 1800)
    ready_s = time.perf_counter() - started
    rss_open = rss_mb(pid)
    noop = types.ExecuteCommandParams(command="lspAgent.settings", arguments=[])
    search, floor, hits = [], [], []
    for q in queries(names, n):
        seconds, result = await timed(
            client.workspace_symbol_async(types.WorkspaceSymbolParams(query=q))
        )
        search.append(seconds)
        hits.append(len(result))
        floor.append((await timed(client.workspace_execute_command_async(noop)))[0])
    rss_after = rss_mb(pid)
    await client.shutdown_session()
    await client.stop()
    return {
        "first_answer_s": first_s,
        "first_answer_results": len(first or []),
        "ready_s": ready_s,
        "rss_open_mb": rss_open,
        "rss_after_mb": rss_after,
        "search_p50_ms": median(search) * 1000,
        "search_p99_ms": percentile(search, 99) * 1000,
        "noop_p50_ms": median(floor) * 1000,
        "median_results": median(hits),
    }


def size_mb(*paths: Path) -> float:
    return sum(p.stat().st_size for p in paths if p.exists()) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="where the tree goes")
    parser.add_argument("--cache", type=Path, help="the index cache (default: DIR/cache)")
    parser.add_argument(
        "--keep-index", action="store_true", help="reuse the index of a previous run (no cold)"
    )
    parser.add_argument(
        "--serve-only", action="store_true", help="reuse the index; only the server rows"
    )
    args = parser.parse_args()
    root = prepare(args.dir)
    if root is None:
        return
    cache = args.cache or args.dir / "cache"
    tags = args.dir / "tags"
    env = {**os.environ, "LSP_AGENT_CACHE_DIR": str(cache), "LSP_AGENT_DATA_DIR": str(cache)}
    index = [sys.executable, "-m", "lsp_agent", "index", str(root)]
    results: dict[str, float] = {}

    if not args.serve_only:
        ctags_s, ctags_rss = run_measured(["ctags", "-R", "-f", str(tags), str(root)], env)
        results |= {"ctags_s": ctags_s, "ctags_rss_mb": ctags_rss, "tags_mb": size_mb(tags)}
    if not (args.keep_index or args.serve_only):
        shutil.rmtree(cache, ignore_errors=True)
        printed: list[str] = []
        cold_s, cold_rss = run_measured([*index, "--json"], env, printed)
        results |= {"cold_s": cold_s, "cold_rss_mb": cold_rss}
        # Where the cold build's time went (`IndexStats.phases`), for the report.
        for name, seconds in json.loads(printed[0])["phases"]:
            results[f"cold_phase {name}"] = seconds
    if not args.serve_only:
        results["warm_s"], _ = run_measured(index, env)
    db = next((cache / "index").glob("*.sqlite3"))
    results["db_mb"] = size_mb(db, Path(f"{db}-wal"), db.with_suffix(".search"))
    results["search_file_mb"] = size_mb(db.with_suffix(".search"))
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    results["files"], results["symbols"], results["refs"] = conn.execute(
        "SELECT count(*), sum(symbols), sum(refs) FROM files"
    ).fetchone()
    results["names"] = conn.execute("SELECT count(*) FROM names").fetchone()[0]
    conn.close()

    if not args.serve_only:
        changed = root / "kernel" / "fork.c"
        original = changed.read_bytes()
        try:
            changed.write_bytes(original + b"\nint lsp_agent_bench_marker;\n")
            results["one_changed_s"], _ = run_measured(index, env)
        finally:
            changed.write_bytes(original)
        run_measured(index, env)  # back in step with the disk

    results |= asyncio.run(serve(root, env, sample_names(db, 500), args.queries))
    report(results)
    save("index_kernel_serve" if args.serve_only else "index_kernel", results)


def report(results: dict[str, float]) -> None:
    r = {key: float("nan") for key in ("cold_s", "cold_rss_mb", "ctags_s", "ctags_rss_mb",
                                       "tags_mb", "warm_s", "one_changed_s")} | results  # fmt: skip
    ratio = r["cold_s"] / r["ctags_s"]
    rows = [
        ("cold index (s)", f"{r['cold_s']:.1f}", f"{r['ctags_s']:.1f}",
         f"{ratio:.2f}x ctags", "<= 2.0x ctags"),
        ("cold index peak RSS, all processes (MB)", f"{r['cold_rss_mb']:.0f}",
         f"{r['ctags_rss_mb']:.0f}", "", "<= 300"),
        ("warm re-open, nothing changed (s)", f"{r['warm_s']:.2f}", "(re-runs fully)", "",
         "<= 1.0"),
        ("re-open, one file changed (s)", f"{r['one_changed_s']:.2f}", "", "", ""),
        ("database + search file (MB)", f"{r['db_mb']:.0f}", f"{r['tags_mb']:.0f}",
         f"{r['db_mb'] / r['tags_mb']:.2f}x tags", "<= 1.0x tags"),
        ("serve: spawn -> index ready, warm (s)", f"{r['ready_s']:.2f}", "", "", "<= 2"),
        ("serve: spawn -> first workspace/symbol answer (s)", f"{r['first_answer_s']:.2f}", "",
         "", "before ready"),
        ("no-op request round trip p50 (ms)", f"{r['noop_p50_ms']:.1f}", "", "", "floor"),
        ("workspace/symbol p50 (ms)", f"{r['search_p50_ms']:.1f}", "", "", "<= 10"),
        ("workspace/symbol p99 (ms)", f"{r['search_p99_ms']:.1f}", "", "", "<= 50"),
        ("server RSS after opening (MB)", f"{r['rss_open_mb']:.0f}", "", "", "<= 300"),
        ("server RSS after the searches (MB)", f"{r['rss_after_mb']:.0f}", "", "", ""),
    ]  # fmt: skip
    print(
        f"{r['files']:.0f} files, {r['symbols']:.0f} symbols, {r['refs']:.0f} references,"
        f" {r['names']:.0f} distinct names"
    )
    print(table(rows, ("figure", "lsp-agent", "ctags", "ratio", "goal")))
    phases = [(key.split(" ", 1)[1], value) for key, value in results.items()
              if key.startswith("cold_phase ")]  # fmt: skip
    if phases:
        print("cold index by phase: " + ", ".join(f"{n} {s:.1f} s" for n, s in phases))


if __name__ == "__main__":
    main()
