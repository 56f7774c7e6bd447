"""`lsp-agent plugins`: the Claude Code plugins a session in this folder loads, where each comes
from, its parts, and every plugin that failed to load with the reason (agent/claude/plugins/).

Trust is decided as `lsp-agent ask` decides it: plugins the folder's own settings enable count
only when the folder is trusted.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def add_plugin_dir(parser: argparse.ArgumentParser, help_text: str) -> None:
    """`--plugin-dir PATH` (repeatable), shared with `lsp-agent ask`."""
    parser.add_argument(
        "--plugin-dir", type=Path, action="append", default=[], dest="plugin_dirs", help=help_text
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cwd", type=Path, default=None, help="the folder (default: here)")
    add_plugin_dir(parser, "also load the plugin in this directory (repeatable), as `ask` does")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    from lsp_agent.agent.claude.plugins.report import describe, text
    from lsp_agent.agent.claude.trust import TrustStore

    project = (args.cwd or Path.cwd()).resolve()
    trusted = TrustStore().get(project) != "untrusted"
    listing = describe(project, trusted=trusted, dirs=list(args.plugin_dirs))
    listing["trusted"] = trusted
    if args.json:
        print(json.dumps(listing, indent=2))
    else:
        print(text(listing))
        if not trusted:
            print(f"({project} is not trusted: plugins its own settings enable are not loaded)")
    return 1 if listing["failed"] else 0
