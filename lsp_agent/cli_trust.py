"""`lsp-agent trust`: show, give, refuse or revoke trust in a folder (agent/claude/trust.py).

Without a flag it shows the remembered answer and what the folder's own files would switch on.
The server asks the same question in the editor; `lsp-agent ask` honours a "not trusted".
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lsp_agent.agent.claude.trust import TrustStore


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cwd", type=Path, default=None, help="the folder (default: here)")
    answer = parser.add_mutually_exclusive_group()
    answer.add_argument("--yes", action="store_true", help="trust the folder as it is now")
    answer.add_argument("--no", action="store_true", help="remember the folder as not trusted")
    answer.add_argument("--revoke", action="store_true", help="forget the answer for it")


def run(args: argparse.Namespace) -> int:
    from lsp_agent.agent.claude.trust import TrustStore, supplied

    project = (args.cwd or Path.cwd()).resolve()
    store, found = TrustStore(), supplied(project)
    if args.yes or args.no:
        store.set(project, "trusted" if args.yes else "untrusted", found.fingerprint())
    elif args.revoke:
        store.revoke(project)
    print(describe(project, store, found.fingerprint()))
    for line in found.lines():
        print(f"  {line}")
    return 0


def describe(project: Path, store: TrustStore, fingerprint: str) -> str:
    """One line: the folder and what is remembered about it."""
    entry = store.entry(project)
    if entry is None:
        return f"{project}: not decided (the editor asks; lsp-agent ask trusts it)"
    stale = "" if entry.get("fingerprint") == fingerprint else ", its settings changed since"
    return f"{project}: {entry.get('answer')} (since {entry.get('time')}{stale})"
