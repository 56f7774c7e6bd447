"""`lsp-agent symbols [PATH] [QUERY]`: list or fuzzy-search the workspace's symbols.

With one positional argument, an existing directory is the PATH and anything else the QUERY.
The index is refreshed first (a warm refresh re-parses only what changed).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

DEFAULT_SEARCH_LIMIT = 100


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", default=None, help="workspace root (default: .)")
    parser.add_argument("query", nargs="?", default=None, help="fuzzy query (default: all)")
    parser.add_argument("--json", action="store_true", help="print one JSON object per line")
    parser.add_argument("--limit", type=int, default=None, help="print at most N symbols")


def _split(args: argparse.Namespace) -> tuple[str, str | None]:
    if args.query is None and args.path is not None and not Path(args.path).is_dir():
        return ".", args.path
    return args.path or ".", args.query


def run(args: argparse.Namespace) -> int:
    from lsp_agent.cli_index import open_index

    root, query = _split(args)
    if not Path(root).is_dir():
        print(f"lsp-agent symbols: {root}: not a directory", file=sys.stderr)
        return 2
    index = open_index(root)
    try:
        index.refresh()
        if query:
            symbols = index.search(query, args.limit or DEFAULT_SEARCH_LIMIT)
        else:
            symbols = index.all_symbols(args.limit)
        for symbol in symbols:
            print(json.dumps(_record(symbol)) if args.json else _line(symbol, index.root))
    except BrokenPipeError:  # `lsp-agent symbols | head`
        sys.stderr.close()
    finally:
        index.close()
    return 0


def _record(symbol: Any) -> dict[str, Any]:
    return {
        "name": symbol.name,
        "kind": symbol.kind,
        "path": symbol.path,
        "line": symbol.selection.start[0] + 1,
        "column": symbol.selection.start[1] + 1,
        "end_line": symbol.range.end[0] + 1,
        "container": symbol.container,
        "language": symbol.language,
        "signature": symbol.signature,
    }


def _line(symbol: Any, root: str) -> str:
    import os

    where = f"{os.path.relpath(symbol.path, root)}:{symbol.selection.start[0] + 1}"
    container = f"  ({symbol.container})" if symbol.container else ""
    return f"{symbol.kind:<11} {symbol.name}  {where}{container}"
