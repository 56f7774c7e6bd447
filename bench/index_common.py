"""Corpora for the indexer benchmarks: the CPython standard library on this machine, plus
npm's own JavaScript and Go's standard library for recall (when present)."""

from __future__ import annotations

import os
import subprocess
import sysconfig
import time
from collections.abc import Callable
from pathlib import Path

STDLIB = Path(sysconfig.get_paths()["stdlib"])
TEST_DIRS = ["test/", "tests/", "idle_test/"]
CORPORA: dict[str, tuple[Path, list[str]]] = {
    # "medium": the stdlib without site-packages and test folders (~730 files, 12 MB)
    "medium": (STDLIB, ["site-packages/", *TEST_DIRS]),
    # "large": with the tests (~1,790 files, 31 MB)
    "large": (STDLIB, ["site-packages/"]),
}
JS_CORPUS = Path(os.environ.get("BENCH_JS_CORPUS", "/usr/lib/node_modules/npm"))
# `apt-get download golang-1.19-src && dpkg -x golang-1.19-src_*.deb /tmp/corpora/go`
GO_CORPUS = Path(os.environ.get("BENCH_GO_CORPUS", "/tmp/corpora/go/usr/share/go-1.19/src"))


def ctags_excludes(excludes: list[str]) -> list[str]:
    return [f"--exclude={e.rstrip('/')}" for e in excludes]


def run_ctags(root: Path, excludes: list[str], out: Path, languages: str = "Python") -> float:
    """Seconds for one universal-ctags run over `root` (writing a tags file like it would)."""
    command = ["ctags", "-R", f"--languages={languages}", "-f", str(out), *ctags_excludes(excludes)]
    start = time.perf_counter()
    subprocess.run(
        [*command, str(root)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - start


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result
