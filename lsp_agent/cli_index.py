"""`lsp-agent index [PATH]`: build or refresh the persistent symbol index of a workspace."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", default=".", help="workspace root (default: .)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def open_index(path: str) -> Any:
    """The workspace index for `path`, configured from the LSP_AGENT_INDEX_* environment."""
    from indexer.scan import ScanLimits
    from indexer.workspace import WorkspaceIndex
    from lsp_agent import paths, settings

    merged, problems = settings.merge([("environment", settings.env_layer(os.environ))])
    for problem in problems:
        print(f"lsp-agent: {problem}", file=sys.stderr)
    return WorkspaceIndex(
        path,
        paths.cache_dir(),
        excludes=merged.index.exclude,
        max_file_size=merged.index.maxFileSize,
        limits=ScanLimits(merged.index.maxFiles, merged.index.maxTotalSize),
    )


class ProgressBar:
    """A one-line bar on stderr, redrawn at most once per percent."""

    def __init__(self) -> None:
        self.shown = -1

    def __call__(self, progress: Any) -> None:
        percent = progress.done * 100 // max(progress.total, 1)
        if percent == self.shown:
            return
        self.shown = percent
        bar = "#" * (percent // 4)
        print(f"\rindexing [{bar:<25}] {percent:3d}% {progress.done}/{progress.total}",
              end="", file=sys.stderr, flush=True)  # fmt: skip

    def close(self) -> None:
        if self.shown >= 0:
            print(file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    root = Path(args.path)
    if not root.is_dir():
        print(f"lsp-agent index: {args.path}: not a directory", file=sys.stderr)
        return 2
    index = open_index(str(root))
    bar = ProgressBar() if sys.stderr.isatty() and not args.json else None
    try:
        stats = index.refresh(progress=bar)
    finally:
        if bar is not None:
            bar.close()
        index.close()
    if args.json:
        print(json.dumps({"root": index.root, "database": str(index.db_path), **_fields(stats)}))
        return 0
    languages = ", ".join(f"{name} {count}" for name, count in stats.languages.items())
    print(
        f"{stats.files} files, {stats.symbols} symbols, {stats.references} references"
        f" ({languages}) in {stats.seconds:.2f} s: {stats.parsed} parsed,"
        f" {stats.removed} removed, {stats.skipped} skipped"
    )
    if stats.parsed and stats.phases:  # where a long build's time went
        print("time: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in stats.phases))
    if stats.capped:
        print(f"lsp-agent index: incomplete: {stats.capped}", file=sys.stderr)
    return 0


def _fields(stats: Any) -> dict[str, Any]:
    import dataclasses

    return dataclasses.asdict(stats)
