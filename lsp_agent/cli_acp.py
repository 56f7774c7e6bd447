"""`lsp-agent acp`: an Agent Client Protocol agent over stdio (Zed, JetBrains, Neovim and
Emacs agent plugins, acpx, Toad).

Settings come from the `LSP_AGENT_*` environment and the flags, as for `lsp-agent ask`; stdout
is the protocol channel, so logs go to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import os
import sys

from lsp_agent.cli_plugins import add_plugin_dir
from lsp_agent.settings import PERMISSION_MODES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--permission-mode", choices=PERMISSION_MODES, default=None)
    parser.add_argument(
        "--model",
        default=None,
        help="model id or alias (default: the provider's recommended model)",
    )
    parser.add_argument(
        "--log-level", choices=("debug", "info", "warning", "error"), default="warning"
    )
    add_plugin_dir(parser, "load the Claude Code plugin in this directory (repeatable)")


def run(args: argparse.Namespace) -> int:
    from lsp_agent import credentials
    from lsp_agent.agent import disk

    logging.basicConfig(stream=sys.stderr, level=args.log_level.upper())
    credentials.remember(os.environ)  # redacted from the logs and transcripts
    credentials.redact_logs()
    disk.remove_journaled_litter()  # temp files of writes killed in an earlier run
    asyncio.run(_serve(args))
    return 0


async def _serve(args: argparse.Namespace) -> None:
    from acp import run_agent

    from lsp_agent import settings
    from lsp_agent.acp.agent import AcpAgent

    flags = {"model": args.model, "permissionMode": args.permission_mode}
    merged, problems = settings.merge(
        [
            ("environment", settings.env_layer(os.environ)),
            ("command line", {k: v for k, v in flags.items() if v is not None}),
        ]
    )
    for problem in problems:
        logging.warning("lsp-agent acp: %s", problem)
    # `--plugin-dir` adds to LSP_AGENT_PLUGINS_DIRS, as in `lsp-agent ask`.
    dirs = [*merged.plugins.dirs, *map(str, args.plugin_dirs)]
    merged = dataclasses.replace(merged, plugins=settings.PluginSettings(dirs))
    agent = AcpAgent(merged)
    try:
        await run_agent(agent, use_unstable_protocol=True)
    finally:
        await agent.shutdown()
