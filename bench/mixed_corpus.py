"""The mixed corpus for `index_build.py --corpus mixed`: 1,833 files of TypeScript, JavaScript,
Go and Python, the shape of issue 18's held-out corpus (whose own files we do not have).

Assembled once under DIR/mixed (DIR: `--dir`, default ~/.cache/lsp-agent-bench), from:

- TypeScript: the `src/` trees of rxjs 7.8.1 and effect 3.10.0 (`npm pack` from the registry);
- JavaScript: npm's own code and its dependencies (`/usr/lib/node_modules/npm`,
  `BENCH_JS_CORPUS`; `node_modules/` becomes `deps/`, which the index does not skip), no `.min.js`;
- Go: Debian's `golang-1.19-src` (`apt-get download`, unpacked with `dpkg -x`), no `testdata`;
- Python: the standard library without tests and site-packages (the "medium" corpus).

Each language contributes an even spread of its sorted files (every k-th), copied under
`mixed/<language>/` with their relative paths. Nothing is fetched once the folder exists; with
npm or apt missing the script says which and the corpus is not built.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
from pathlib import Path

from index_common import CORPORA, JS_CORPUS

DEFAULT_DIR = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "lsp-agent-bench"
TOTAL = 1_833
NPM_PACKAGES = ("rxjs@7.8.1", "effect@3.10.0")
GO_PACKAGE = "golang-1.19-src"
CTAGS_LANGUAGES = "Python,JavaScript,TypeScript,Go"


def prepare(workdir: Path = DEFAULT_DIR) -> Path | None:
    """The corpus folder (built the first time), or None with a message when it cannot be."""
    root = workdir / "mixed"
    if (root / ".complete").exists():
        return root
    downloads = workdir / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    try:
        sources = {
            "ts": _typescript(downloads),
            "js": sorted(p for p in JS_CORPUS.rglob("*.js") if not p.name.endswith(".min.js")),
            "go": _go(downloads),
            "py": _python(),
        }
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"mixed corpus: cannot fetch its sources ({exc}); skipped")
        return None
    if not all(sources.values()):
        empty = ", ".join(lang for lang, files in sources.items() if not files)
        print(f"mixed corpus: no files for {empty}; skipped")
        return None
    shutil.rmtree(root, ignore_errors=True)
    share, extra = divmod(TOTAL, len(sources))
    for i, (language, files) in enumerate(sources.items()):
        base = os.path.commonpath([str(f) for f in files])
        for source in _spread(files, share + (1 if i < extra else 0)):
            # npm's dependencies sit in node_modules/, which the index skips by default.
            relative = Path(os.path.relpath(source, base))
            parts = ["deps" if part == "node_modules" else part for part in relative.parts]
            target = root.joinpath(language, *parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    (root / ".complete").write_text("")
    return root


def _spread(files: list[Path], n: int) -> list[Path]:
    """`n` files spread evenly over the sorted list (every k-th)."""
    step = len(files) / n
    return [files[int(i * step)] for i in range(min(n, len(files)))]


def _typescript(downloads: Path) -> list[Path]:
    found: list[Path] = []
    for spec in NPM_PACKAGES:
        name = spec.replace("@", "-")
        unpacked = downloads / name
        if not unpacked.exists():
            if shutil.which("npm") is None:
                raise OSError("npm is not installed")
            subprocess.run(
                ["npm", "pack", spec, "--silent", "--pack-destination", str(downloads)],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            with tarfile.open(downloads / f"{name}.tgz") as tar:
                tar.extractall(unpacked, filter="data")
        found += sorted((unpacked / "package" / "src").rglob("*.ts"))
    return found


def _go(downloads: Path) -> list[Path]:
    unpacked = downloads / GO_PACKAGE
    if not unpacked.exists():
        if shutil.which("apt-get") is None:
            raise OSError("apt-get is not there to download golang-1.19-src")
        subprocess.run(
            ["apt-get", "download", GO_PACKAGE],
            check=True,
            cwd=downloads,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        [deb] = downloads.glob(f"{GO_PACKAGE}_*.deb")
        subprocess.run(["dpkg", "-x", str(deb), str(unpacked)], check=True)
    return sorted(p for p in unpacked.rglob("*.go") if "testdata" not in p.parts)


def _python() -> list[Path]:
    from indexer.scan import scan

    root, excludes = CORPORA["medium"]
    return sorted(Path(f.path) for f in scan(root, excludes).files if f.language == "python")
