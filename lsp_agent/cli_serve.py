"""`lsp-agent serve`: run the language server on stdio (default) or TCP."""

from __future__ import annotations

import argparse


def _host_port(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {value!r}")
    return host, int(port)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stdio", action="store_true", help="talk LSP over stdio (the default)")
    parser.add_argument(
        "--tcp", metavar="HOST:PORT", type=_host_port, help="listen on TCP instead of stdio"
    )
    parser.add_argument(
        "--log-level",
        choices=["error", "warning", "info", "debug"],
        help="log level until the editor's settings arrive (default: LSP_AGENT_LOG_LEVEL or info)",
    )


def run(args: argparse.Namespace) -> int:
    import os

    from lsp_agent import credentials
    from lsp_agent.server import logs
    from lsp_agent.server.app import create_server

    level = args.log_level or os.environ.get("LSP_AGENT_LOG_LEVEL", "info")
    logs.configure_stderr(level if level in logs.LEVELS else "info")
    credentials.redact_logs()
    # Credentials live in the server's own environ mapping, not in the process's environment.
    server = create_server({**os.environ, **credentials.take_handed_over()})
    if args.tcp:
        server.start_tcp(*args.tcp)
    else:
        server.start_io()
    return 0
