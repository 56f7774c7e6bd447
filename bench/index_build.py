"""Cold and warm indexing against their baselines, measured in the same run.

- cold full index (scan + parse + extract + store, process pool) vs a single-process
  tree-sitter parse-only pass over the same files: target ratio <= 1.0;
- warm re-open with nothing changed (open the database, scan, stat, compare) vs one
  universal-ctags run over the same corpus: target ratio <= 1.0.

Each measurement is repeated (alternating with its baseline) and the medians are compared.

    python bench/index_build.py [--corpus medium|large|mixed] [--runs 3] [--dir DIR]

`mixed` is TypeScript, JavaScript, Go and Python (`mixed_corpus.py`, assembled under DIR once).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent))
from common import median, save, table
from index_common import CORPORA, run_ctags, timed
from mixed_corpus import CTAGS_LANGUAGES, DEFAULT_DIR
from mixed_corpus import prepare as prepare_mixed

from indexer.extract import parse
from indexer.scan import scan
from indexer.workspace import WorkspaceIndex


def parse_only(files: list[tuple[str, str]]) -> float:
    def work() -> None:
        for path, language in files:
            with open(path, "rb") as f:
                parse(f.read(), language)

    return timed(work)[0]


def cold(root: Path, excludes: list[str]) -> tuple[float, object]:
    with tempfile.TemporaryDirectory() as cache:
        return timed(lambda: WorkspaceIndex(root, cache, excludes=excludes).refresh())


def warm(root: Path, excludes: list[str], cache: str) -> float:
    def reopen() -> object:
        index = WorkspaceIndex(root, cache, excludes=excludes)
        stats = index.refresh()
        assert stats.parsed == 0, stats
        index.close()
        return stats

    return timed(reopen)[0]


def warm_cli(root: Path, excludes: list[str], cache: str) -> float:
    env = {"LSP_AGENT_CACHE_DIR": cache, "LSP_AGENT_INDEX_EXCLUDE": str(excludes).replace("'", '"')}
    command = [sys.executable, "-m", "lsp_agent", "index", str(root), "--json"]
    return timed(
        lambda: subprocess.run(command, check=True, capture_output=True, env={**_env(), **env})
    )[0]


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", default="medium", choices=sorted([*CORPORA, "mixed"]))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="where `mixed` is built")
    args = parser.parse_args()
    languages = "Python"
    if args.corpus == "mixed":
        mixed = prepare_mixed(args.dir)
        if mixed is None:
            return
        root, excludes, languages = mixed, [], CTAGS_LANGUAGES
    else:
        root, excludes = CORPORA[args.corpus]
    files = [(f.path, f.language) for f in scan(root, excludes).files]
    size = sum(Path(p).stat().st_size for p, _ in files)
    parse_times, cold_times, warm_times, cli_times, ctags_times = [], [], [], [], []
    stats = None
    with tempfile.TemporaryDirectory() as tmp:
        WorkspaceIndex(root, tmp, excludes=excludes).refresh()
        for _ in range(args.runs):
            parse_times.append(parse_only(files))
            seconds, stats = cold(root, excludes)
            cold_times.append(seconds)
            ctags_times.append(run_ctags(root, excludes, Path(tmp) / "tags", languages))
            warm_times.append(warm(root, excludes, tmp))
            cli_times.append(warm_cli(root, excludes, tmp))
    p, c, w, cli, t = map(median, (parse_times, cold_times, warm_times, cli_times, ctags_times))
    rows = [
        ("parse-only, 1 process (baseline)", f"{p:.3f}", "", ""),
        ("cold full index", f"{c:.3f}", f"{c / p:.2f} x parse-only", "<= 1.00"),
        ("universal-ctags -R (baseline)", f"{t:.3f}", "", ""),
        ("warm re-open, in process", f"{w:.3f}", f"{w / t:.2f} x ctags", "<= 1.00"),
        ("warm `lsp-agent index` (new process)", f"{cli:.3f}", f"{cli / t:.2f} x ctags", "(info)"),
    ]
    print(f"corpus {args.corpus}: {len(files)} files, {size / 1e6:.1f} MB, {stats.symbols} symbols")
    print(table(rows, ("measurement (median s)", "seconds", "ratio", "target")))
    save(
        f"index_build_{args.corpus}",
        {
            "corpus": args.corpus,
            "files": len(files),
            "bytes": size,
            "symbols": stats.symbols,
            "references": stats.references,
            "runs": args.runs,
            "parse_only_s": parse_times,
            "cold_s": cold_times,
            "ctags_s": ctags_times,
            "warm_s": warm_times,
            "warm_cli_s": cli_times,
            "cold_vs_parse": c / p,
            "warm_vs_ctags": w / t,
        },
    )


if __name__ == "__main__":
    main()
