"""`lsp-agent ask`: one prompt through the agent engine, headless, with edits written to disk.

Only the standard library at import time; the engine is imported when the command runs.
Exit status: 0 when the run succeeded, 1 when it ended in an error (one line on stderr).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lsp_agent.agent.options import AgentOptions, AgentResult
    from lsp_agent.agent.ports import AgentEvent

PERMISSION_MODES = ("default", "acceptEdits", "plan", "dontAsk", "bypassPermissions")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("prompt", nargs="?", help="the prompt (read from stdin when omitted)")
    parser.add_argument("--cwd", type=Path, default=None, help="workspace directory")
    parser.add_argument("--permission-mode", choices=PERMISSION_MODES, default="default")
    parser.add_argument("--model", default=None, help="model id (default claude-sonnet-4-5)")
    parser.add_argument("--fallback-model", default=None, help="used after repeated overload")
    parser.add_argument("--max-turns", type=int, default=None)
    parser.add_argument("--max-budget-usd", type=float, default=None)
    parser.add_argument("--add-dir", type=Path, action="append", default=[], dest="add_dirs")
    parser.add_argument("--allowed-tools", default="", help="comma-separated allow rules")
    parser.add_argument("--disallowed-tools", default="", help="comma-separated deny rules")
    parser.add_argument("--append-system-prompt", default=None)
    parser.add_argument("--output-format", choices=("text", "json", "stream-json"), default="text")
    session = parser.add_mutually_exclusive_group()
    session.add_argument("--resume", metavar="ID", default=None, help="resume a session")
    session.add_argument(
        "--continue",
        dest="continue_session",
        action="store_true",
        help="resume the latest session in this directory",
    )


def run(args: argparse.Namespace) -> int:
    prompt = args.prompt if args.prompt is not None else sys.stdin.read()
    if not prompt.strip():
        return _fail("no prompt given (pass it as an argument or on stdin)")
    cwd = (args.cwd or Path.cwd()).resolve()
    if not cwd.is_dir():
        return _fail(f"--cwd {cwd} is not a directory")
    return asyncio.run(_ask(args, prompt, cwd))


async def _ask(args: argparse.Namespace, prompt: str, cwd: Path) -> int:
    from lsp_agent.agent.claude.extensions import Extensions
    from lsp_agent.agent.disk import DiskDocumentSource, DiskEditSink
    from lsp_agent.agent.loop import Agent
    from lsp_agent.agent.toolset import engine_tools
    from lsp_agent.agent.transcript import SessionNotFound

    out = _Output(args.output_format)
    # Hooks, commands, skills, subagents and approved MCP servers, as Claude Code's -p has them.
    extensions = await Extensions.load(cwd, on_problem=_warn)
    options = _options(args, cwd)
    index = _symbol_index([options.cwd, *options.add_dirs])
    try:
        agent = Agent(
            options,
            tools=engine_tools(index),
            documents=DiskDocumentSource(),
            edits=DiskEditSink(),
            on_event=out.event,
            extensions=extensions,
            index=index,
        )
    except SessionNotFound as exc:
        await extensions.aclose()
        return _fail(str(exc))
    try:
        result = await agent.run(prompt)
    finally:
        await agent.aclose()
        await extensions.aclose()
        if index is not None:
            index.close()
    out.result(result)
    if result.is_error:
        return _fail(f"{result.subtype}: {result.result}")
    return 0


def _options(args: argparse.Namespace, cwd: Path) -> AgentOptions:
    from lsp_agent.agent.options import DEFAULT_MODEL, AgentOptions

    return AgentOptions(
        cwd=cwd,
        model=args.model or DEFAULT_MODEL,
        fallback_model=args.fallback_model,
        permission_mode=args.permission_mode,
        max_turns=args.max_turns,
        max_budget_usd=args.max_budget_usd,
        add_dirs=list(args.add_dirs),
        allowed_tools=_rules(args.allowed_tools),
        disallowed_tools=_rules(args.disallowed_tools),
        append_system_prompt=args.append_system_prompt,
        resume=args.resume,
        continue_session=args.continue_session,
    )


def _symbol_index(roots: list[Path]) -> Any:
    """The symbol tools' index over the workspace and the added directories: the same
    persistent index `lsp-agent index` and the server keep, opened only if a symbol tool runs
    (None when LSP_AGENT_INDEX_ENABLED is off)."""
    from indexer.multiroot import OnDemandIndex
    from lsp_agent import settings
    from lsp_agent.cli_index import open_index

    def opener(root: str) -> Any:
        index = open_index(root)
        if not index.stats().files:  # the first symbol lookup may take a while: say why
            print(f"lsp-agent ask: indexing {root} for the symbol tools", file=sys.stderr)
        return index

    merged, _ = settings.merge([("environment", settings.env_layer(os.environ))])
    return OnDemandIndex(roots, opener) if merged.index.enabled else None


def _rules(text: str) -> list[str]:
    return [rule.strip() for rule in text.split(",") if rule.strip()]


class _Output:
    """Writes the run to stdout in the chosen format as it goes."""

    def __init__(self, output_format: str) -> None:
        self.format = output_format
        self._wrote_text = False

    def event(self, event: AgentEvent) -> None:
        if self.format == "stream-json":
            _line({"type": event.kind, "session_id": event.session_id, **event.data})
        elif self.format == "text" and event.kind == "text":
            sys.stdout.write(event.data["text"])
            sys.stdout.flush()
            self._wrote_text = True
        elif self.format == "text" and event.kind == "retry":
            # The answer starts again from the beginning: put it on a line of its own.
            if self._wrote_text:
                sys.stdout.write("\n")
                sys.stdout.flush()
                self._wrote_text = False
            print(f"lsp-agent ask: retrying: {event.data['error']}", file=sys.stderr)

    def result(self, result: AgentResult) -> None:
        if self.format == "json":
            _line(result.to_json())
        elif self.format == "text" and self._wrote_text:
            sys.stdout.write("\n")
            sys.stdout.flush()


def _line(record: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _warn(message: str) -> None:
    print(f"lsp-agent ask: warning: {message}", file=sys.stderr)


def _fail(message: str) -> int:
    first_line = message.strip().splitlines()[0] if message.strip() else "failed"
    print(f"lsp-agent ask: error: {first_line}", file=sys.stderr)
    return 1
