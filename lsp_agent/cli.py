"""The `lsp-agent` command line.

Each subcommand lives in its own module exposing `add_arguments(parser)` and `run(args) -> int`.
Those modules import only the standard library at top level, so `lsp-agent --version` and the
start of `lsp-agent serve` do not pay for tree-sitter, httpx or the agent.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from lsp_agent import __version__

# name -> (module, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "serve": ("lsp_agent.cli_serve", "run the language server (stdio by default)"),
    "ask": ("lsp_agent.cli_ask", "run one prompt through the agent, headless"),
    "acp": ("lsp_agent.cli_acp", "run as an Agent Client Protocol agent over stdio"),
    "doctor": ("lsp_agent.cli_doctor", "report versions, grammars, API configuration and paths"),
    "index": ("lsp_agent.cli_index", "build or refresh the workspace symbol index"),
    "symbols": ("lsp_agent.cli_symbols", "list or fuzzy-search the workspace's symbols"),
    "trust": ("lsp_agent.cli_trust", "show, give, refuse or revoke trust in a folder"),
    "plugins": ("lsp_agent.cli_plugins", "list the Claude Code plugins loaded here, and failures"),
}


def build_parser(chosen: str | None = None) -> argparse.ArgumentParser:
    """The parser; only the `chosen` subcommand's module is imported (each costs start-up)."""
    parser = argparse.ArgumentParser(
        prog="lsp-agent",
        description="A coding agent inside any LSP editor.",
    )
    parser.add_argument("--version", action="version", version=f"lsp-agent {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        sub_parser = sub.add_parser(name, help=help_text, description=help_text)
        if name == chosen:
            module = importlib.import_module(module_name)
            module.add_arguments(sub_parser)
            sub_parser.set_defaults(_module=module)
    return parser


# Commands that hold model credentials: they re-execute once to take them out of their own
# environment block (credentials.py).
HOLD_CREDENTIALS = ("serve", "ask")


def main(argv: Sequence[str] | None = None) -> int:
    from_command_line = argv is None
    argv = list(sys.argv[1:] if argv is None else argv)
    chosen = next((arg for arg in argv if not arg.startswith("-")), None)
    if from_command_line and chosen in HOLD_CREDENTIALS:
        from lsp_agent import credentials

        credentials.hide_from_environ()
    parser = build_parser(chosen)
    args = parser.parse_args(argv)  # unknown flags: usage on stderr, exit 2 (argparse's contract)
    if args.command is None:
        parser.print_usage(sys.stderr)
        print("lsp-agent: error: a command is required", file=sys.stderr)
        return 2
    try:
        return int(args._module.run(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
