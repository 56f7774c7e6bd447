"""`lsp-agent ask`: one prompt through the agent engine, headless, with edits written to disk.

Settings come from the `LSP_AGENT_*` environment, then the command line's flags, and the agent
from the same assembly as the server's (`agent.assembly`): a setting means the same in both.
Only the standard library (and the plain `settings` module) at import time; the engine is
imported when the command runs.
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
    from indexer.multiroot import OnDemandIndex
    from lsp_agent.agent.changes import ChangeLog
    from lsp_agent.agent.events import AgentEvent
    from lsp_agent.agent.options import AgentResult
    from lsp_agent.settings import Settings

from lsp_agent.cli_plugins import add_plugin_dir
from lsp_agent.settings import PERMISSION_MODES

NO_PROMPT = "no prompt given (pass it as an argument or on stdin)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("prompt", nargs="?", help="the prompt (read from stdin when omitted)")
    parser.add_argument("--cwd", type=Path, default=None, help="workspace directory")
    # Flags left out fall back to the LSP_AGENT_* variables, then to the settings' defaults.
    parser.add_argument("--permission-mode", choices=PERMISSION_MODES, default=None)
    parser.add_argument(
        "--model",
        default=None,
        help="model id or alias (default: the provider's recommended model)",
    )
    parser.add_argument("--fallback-model", default=None, help="used after repeated overload")
    parser.add_argument("--max-turns", type=int, default=None)
    parser.add_argument("--max-budget-usd", type=float, default=None)
    parser.add_argument("--add-dir", type=Path, action="append", default=[], dest="add_dirs")
    # Claude Code's spellings too, so a `claude -p` script's flags carry over.
    parser.add_argument(
        "--allowed-tools", "--allowedTools", default="", help="comma-separated allow rules"
    )
    parser.add_argument(
        "--disallowed-tools", "--disallowedTools", default="", help="comma-separated deny rules"
    )
    parser.add_argument("--append-system-prompt", default=None)
    add_plugin_dir(parser, "load the Claude Code plugin in this directory (repeatable)")
    parser.add_argument("--output-format", choices=("text", "json", "stream-json"), default="text")
    parser.add_argument(
        "--no-project-settings",
        action="store_true",
        help="treat --cwd as untrusted: its hooks, allow rules, MCP servers and outside "
        "CLAUDE.md imports are ignored (its deny and ask rules still apply)",
    )
    parser.add_argument(
        "-n", "--name", default=None, help="name the session (as /rename does; --resume NAME)"
    )
    session = parser.add_mutually_exclusive_group()
    session.add_argument(
        "--resume", metavar="ID|NAME", default=None, help="resume a session, by id or name"
    )
    session.add_argument(
        "--continue",
        dest="continue_session",
        action="store_true",
        help="resume the latest session in this directory",
    )
    parser.add_argument(
        "--fork-session",
        action="store_true",
        help="with --resume or --continue: go on in a copy under a new id (the original stays)",
    )


def _session_id(resume: str | None, cwd: Path) -> str | None:
    """`--resume`'s session: an id as given, or the newest session with that name (started in
    `cwd` first, then anywhere), as `claude --resume <name>` finds it."""
    from lsp_agent.agent.transcript import is_session_id, named_session

    if resume is None or is_session_id(resume):
        return resume
    return named_session(resume, str(cwd)) or named_session(resume) or resume


def _forked(resume: str | None, cwd: Path) -> str | None:
    """`--fork-session`: the session `--resume` names (else the latest of `cwd`, as
    `--continue`), copied under a new id, as Claude Code forks; None when there is none to
    copy (a new session). Raises transcript.SessionNotFound."""
    from lsp_agent.agent.transcript import fork_session, latest_session

    source = resume or latest_session(cwd)
    return fork_session(source) if source is not None else None


def run(args: argparse.Namespace) -> int:
    prompt = args.prompt if args.prompt is not None else sys.stdin.read()
    # An empty prompt is checked once the session has started: a SessionStart hook's
    # `initialUserMessage` may be the whole run, as with Claude Code's -p.
    if prompt.split()[:1] == ["/rewind"] and not (args.resume or args.continue_session):
        return _fail("/rewind needs the session: --resume ID or --continue")
    if args.fork_session and not (args.resume or args.continue_session):
        return _fail("--fork-session needs the session to copy: --resume ID or --continue")
    cwd = (args.cwd or Path.cwd()).resolve()
    if not cwd.is_dir():
        return _fail(f"--cwd {cwd} is not a directory")
    return asyncio.run(_ask(args, prompt, cwd))


async def _ask(args: argparse.Namespace, prompt: str, cwd: Path) -> int:
    from lsp_agent import cli_rewind, credentials
    from lsp_agent.agent import checkpoints, disk, headless_exit
    from lsp_agent.agent.assembly import Host, build_agent
    from lsp_agent.agent.changes import ChangeLog, RecordingEditSink, conversation_length
    from lsp_agent.agent.claude.extensions import Extensions
    from lsp_agent.agent.disk import DiskDocumentSource, DiskEditSink
    from lsp_agent.agent.transcript import SessionNotFound

    settings = _settings(args)
    out = _Output(args.output_format)
    add_dirs = [Path(d).resolve() for d in args.add_dirs]
    trusted = _trusted(args, cwd)
    # Credentials live here, not in the process's environment (credentials.py).
    environ = {**os.environ, **credentials.take_handed_over()}
    credentials.remember(environ)
    credentials.redact_logs()
    disk.remove_journaled_litter()  # temp files of writes killed in an earlier run
    # Hooks, commands, skills, subagents and approved MCP servers, as Claude Code's -p has them.
    extensions = await Extensions.load(
        cwd,
        trusted=trusted,
        on_problem=_warn,
        environ=environ,
        plugin_dirs=[*map(Path, settings.plugins.dirs), *args.plugin_dirs],  # env, then flags
    )
    if not prompt.strip() and not extensions.hooks.has("SessionStart"):
        await extensions.aclose()  # nothing could give the run a first turn
        return _fail(NO_PROMPT)
    index = _symbol_index(settings, [cwd, *add_dirs])
    changes = ChangeLog()  # this run's checkpoint, for a later `/rewind`
    host = Host(
        documents=DiskDocumentSource(),
        edits=RecordingEditSink(DiskEditSink(), changes, checkpoints.read_text),
        on_event=lambda event: _on_event(out, changes, event),
        index=index,
        extensions=extensions,
        environ=environ,
    )
    resume = _session_id(args.resume, cwd)
    try:
        forked = _forked(resume, cwd) if args.fork_session else None
        agent = build_agent(
            settings,
            host,
            cwd=cwd,
            trusted=trusted,
            add_dirs=add_dirs,
            allowed_tools=_rules(args.allowed_tools),
            disallowed_tools=_rules(args.disallowed_tools),
            append_system_prompt=args.append_system_prompt,
            resume=forked or resume,
            continue_session=args.continue_session and not args.fork_session,
            name=args.name,
        )
    except SessionNotFound as exc:
        await extensions.aclose()
        return _fail(str(exc))
    if cli_rewind.wanted(prompt):
        try:
            return cli_rewind.rewind(agent, prompt, [cwd, *add_dirs])
        finally:
            await agent.aclose()
            await extensions.aclose()
    prompt = _with_references(prompt, cwd, add_dirs, environ) if prompt.strip() else ""
    changes.runs = checkpoints.load(agent.session_id).runs
    changes.on_change = lambda run: checkpoints.save(agent.session_id, run)
    result = None
    try:
        # SessionStart before anything of the prompt's (source "fork" for a fork).
        await agent.start("fork" if forked is not None else "")
        # A hook's `initialUserMessage` is the first turn; the prompt, if any, the next.
        for turn in [t for t in (agent.take_initial_message(), prompt) if t.strip()]:
            changes.begin(turn, conversation_length(agent.messages))
            result = await agent.run(turn)
            if result.is_error:
                break
        if result is not None:
            result = await headless_exit.finish(agent, result, environ, _warn)
    finally:
        await agent.aclose()
        await extensions.aclose()
        if index is not None:
            index.close()
    if result is None:
        return _fail(NO_PROMPT)
    out.result(result)  # the last turn's, as -p prints the final result
    if result.is_error:
        return _fail(f"{result.subtype}: {result.result}")
    return 0


def _with_references(prompt: str, cwd: Path, add_dirs: list[Path], environ: dict[str, str]) -> str:
    """`@path` and `@path#L5-10` attach that file or those lines (inside the workspace)."""
    from lsp_agent.agent.checkpoints import read_text
    from lsp_agent.agent.prompt.references import attach
    from lsp_agent.credentials import Redactor

    attached = attach(prompt, cwd, [cwd, *add_dirs], read_text, Redactor(environ))
    for problem in attached.problems:
        _warn(problem)
    return attached.prompt


def _on_event(out: _Output, changes: ChangeLog, event: AgentEvent) -> None:
    from lsp_agent.agent.events import ToolStarted

    if isinstance(event, ToolStarted):
        changes.note_tool(event.name, str(event.input.get("command", ""))[:200])
    out.event(event)


def _trusted(args: argparse.Namespace, cwd: Path) -> bool:
    """As Claude Code's -p: running in a directory is a decision to trust it, unless the user
    said otherwise (`--no-project-settings`, or a remembered "not trusted" for it)."""
    from lsp_agent.agent.claude.trust import TrustStore

    if args.no_project_settings:
        return False
    if TrustStore().get(cwd) == "untrusted":
        _warn(
            f"{cwd} is not trusted (lsp-agent trust --cwd {cwd} to trust it); its own hooks, "
            "allow rules and MCP servers are ignored"
        )
        return False
    return True


def _settings(args: argparse.Namespace) -> Settings:
    """The environment's settings with the command line's flags on top; a bad value is reported
    and replaced by the layer below, as in the server."""
    from lsp_agent import settings

    flags = {
        "model": args.model,
        "fallbackModel": args.fallback_model,
        "permissionMode": args.permission_mode,
        "maxTurns": args.max_turns,
        "maxBudgetUsd": args.max_budget_usd,
    }
    merged, problems = settings.merge(
        [
            ("environment", settings.env_layer(os.environ)),
            ("command line", {k: v for k, v in flags.items() if v is not None}),
        ]
    )
    for problem in problems:
        _warn(problem)
    return merged


def _symbol_index(settings: Settings, roots: list[Path]) -> OnDemandIndex | None:
    """The symbol tools' index over the workspace and the added directories: the same
    persistent index `lsp-agent index` and the server keep, opened only if a symbol tool runs
    (None when `index.enabled` is off)."""
    from indexer.multiroot import OnDemandIndex
    from lsp_agent.cli_index import open_index

    def opener(root: str) -> Any:
        index = open_index(root)
        if not index.stats().files:  # the first symbol lookup may take a while: say why
            print(f"lsp-agent ask: indexing {root} for the symbol tools", file=sys.stderr)
        return index

    return OnDemandIndex(roots, opener) if settings.index.enabled else None


def _rules(text: str) -> list[str]:
    return [rule.strip() for rule in text.split(",") if rule.strip()]


class _Output:
    """Writes the run to stdout in the chosen format as it goes."""

    def __init__(self, output_format: str) -> None:
        self.format = output_format
        self._wrote_text = False

    def event(self, event: AgentEvent) -> None:
        from lsp_agent.agent.events import Retrying, TextDelta

        if self.format == "stream-json":
            _line(event.to_json())
        elif self.format == "text" and isinstance(event, TextDelta):
            sys.stdout.write(event.text)
            sys.stdout.flush()
            self._wrote_text = True
        elif self.format == "text" and isinstance(event, Retrying):
            # The answer starts again from the beginning: put it on a line of its own.
            if self._wrote_text:
                sys.stdout.write("\n")
                sys.stdout.flush()
                self._wrote_text = False
            print(f"lsp-agent ask: retrying: {event.error}", file=sys.stderr)

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
