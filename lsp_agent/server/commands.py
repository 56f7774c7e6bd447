"""The `lspAgent.*` commands (docs/protocol.md). Each takes one object argument, checks it,
and returns at once: runs go on in the background unless `wait` is set. A handler only checks
its argument and hands over: the session's task builds the prompt and its context."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from lsp_agent.agent.options import PERMISSION_MODES
from lsp_agent.server import context
from lsp_agent.server.app import AgentServer  # pygls reads handlers' annotations at run time
from lsp_agent.server.diagnostics import valid
from lsp_agent.server.edits import Review
from lsp_agent.server.protocol import AgentProtocol

logger = logging.getLogger(__name__)


class BadArgument(JsonRpcInvalidParams):
    def __init__(self, message: str) -> None:
        super().__init__(message)


def _argument(args: tuple[Any, ...]) -> dict[str, Any]:
    if len(args) == 0:
        return {}
    if len(args) != 1 or not isinstance(args[0], dict):
        raise BadArgument("expected one object argument")
    return args[0]


def _string(arg: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    value = arg.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        raise BadArgument(f"'{key}' must be a non-empty string")
    return value


def _range(ls: AgentServer, arg: dict[str, Any]) -> types.Range | None:
    if arg.get("range") is None:
        return None
    try:
        return ls.protocol._converter.structure(arg["range"], types.Range)
    except Exception:
        raise BadArgument("'range' must be an LSP Range") from None


def _hunks(arg: dict[str, Any]) -> frozenset[int] | None:
    hunks = arg.get("hunks")
    if hunks is None:
        return None
    if not isinstance(hunks, list) or not all(isinstance(h, int) for h in hunks):
        raise BadArgument("'hunks' must be a list of hunk ids")
    return frozenset(hunks)


def _document_uri(ls: AgentServer, arg: dict[str, Any]) -> str:
    uri = _string(arg, "uri", required=True)
    assert uri is not None
    document = ls.workspace.get_text_document(uri)
    if ls.documents.text(uri) is None and not Path(document.path).is_file():
        raise BadArgument(f"no such document: {uri}")
    return uri


async def _start(ls: AgentServer, request: context.Request, arg: dict[str, Any]) -> dict[str, Any]:
    try:
        session = ls.sessions.start(
            lambda: context.build_prompt(ls, request),
            context.title_for(request),
            request.uri,
            _string(arg, "sessionId"),
            action=request.action,
        )
    except RuntimeError as exc:
        raise BadArgument(str(exc)) from None
    except Exception as exc:  # e.g. an unknown session id to resume
        raise BadArgument(f"{type(exc).__name__}: {exc}") from None
    return await _answer(ls, session.id, arg)


async def _answer(ls: AgentServer, session_id: str, arg: dict[str, Any]) -> dict[str, Any]:
    """At once, or with `wait` when the run ends (then `$/cancelRequest` cancels the run)."""
    if not arg.get("wait"):
        return {"sessionId": session_id}
    protocol = ls.protocol
    assert isinstance(protocol, AgentProtocol)
    msg_id = protocol.msg_id
    if msg_id is not None:
        protocol.cancel_hooks[msg_id] = lambda: _cancel_quietly(ls, session_id)
    try:
        result = await ls.sessions.wait(session_id)
    finally:
        if msg_id is not None:
            protocol.cancel_hooks.pop(msg_id, None)
    return {"sessionId": session_id, **(result.to_json() if result else {})}


def _cancel_quietly(ls: AgentServer, session_id: str) -> None:
    ls.sessions.cancel(session_id)


async def ask(ls: AgentServer, *args: Any) -> dict[str, Any]:
    arg = _argument(args)
    action = arg.get("action") or "ask"
    if action not in context.ACTIONS or action == "fix":
        raise BadArgument(f"unknown action {action!r}")
    prompt = arg.get("prompt") or ""
    if not isinstance(prompt, str):
        raise BadArgument("'prompt' must be a string")
    if action == "ask" and not prompt.strip():
        raise BadArgument("lspAgent.ask needs a 'prompt' (rich clients ask the user for one)")
    uri = _document_uri(ls, arg)
    request = context.Request(action, uri, _range(ls, arg), prompt, [])
    return await _start(ls, request, arg)


async def fix_diagnostics(ls: AgentServer, *args: Any) -> dict[str, Any]:
    arg = _argument(args)
    uri = _document_uri(ls, arg)
    selection = _range(ls, arg)
    diagnostics = arg.get("diagnostics")
    if diagnostics is None:
        lines = (selection.start.line, selection.end.line) if selection else None
        diagnostics = ls.diagnostics.get(uri, lines)
    if not isinstance(diagnostics, list) or not all(valid(d) for d in diagnostics):
        raise BadArgument("'diagnostics' must be a list of LSP Diagnostics")
    if not diagnostics:
        raise BadArgument("no diagnostics to fix here")
    request = context.Request("fix", uri, selection, "", diagnostics)
    return await _start(ls, request, arg)


async def cancel(ls: AgentServer, *args: Any) -> dict[str, Any]:
    return {"cancelled": ls.sessions.cancel(_string(_argument(args), "sessionId"))}


async def accept_edits(ls: AgentServer, *args: Any) -> dict[str, Any]:
    """Answers at once: the accepted part is then sent as `workspace/applyEdit`, which the
    client must be free to answer, and its outcome arrives as a `proposal` stream event."""
    arg = _argument(args)
    text = arg.get("text")
    if text is not None and not isinstance(text, str):
        raise BadArgument("'text' must be the full new text of the file")
    pending = _decide(ls, arg, Review(True, _hunks(arg), text))
    return {"accepted": True, "proposalId": pending.id}


async def reject_edits(ls: AgentServer, *args: Any) -> dict[str, Any]:
    arg = _argument(args)
    hunks, reason = _hunks(arg), arg.get("reason") or ""
    if hunks is None:
        _decide(ls, arg, Review(False, reason=str(reason)))
        return {"rejected": True}
    # Rejecting some hunks accepts the others.
    pending = ls.proposals.pending.get(_string(arg, "proposalId", required=True) or "")
    rest = frozenset(h.id for h in pending.hunks) - hunks if pending else frozenset()
    review = Review(True, rest) if rest else Review(False, reason=str(reason))
    _decide(ls, arg, review)
    return {"rejected": True}


def _decide(ls: AgentServer, arg: dict[str, Any], review: Review) -> Any:
    proposal_id = _string(arg, "proposalId", required=True)
    try:
        return ls.proposals.decide(proposal_id or "", review)
    except KeyError as exc:
        raise BadArgument(str(exc.args[0])) from None


async def sessions(ls: AgentServer, *args: Any) -> list[dict[str, Any]]:
    _argument(args)
    return ls.sessions.listing()


async def resume(ls: AgentServer, *args: Any) -> dict[str, Any]:
    arg = _argument(args)
    _string(arg, "sessionId", required=True)
    prompt = _string(arg, "prompt", required=True) or ""
    uri = arg.get("uri")
    if uri is not None:
        uri = _document_uri(ls, arg)
        request = context.Request("ask", uri, _range(ls, arg), prompt, [])
        return await _start(ls, request, arg)
    try:
        title = prompt.splitlines()[0][:60]
        session = ls.sessions.start(
            lambda: context.with_references(ls, prompt), title, None, arg["sessionId"]
        )
    except Exception as exc:
        raise BadArgument(f"cannot resume: {exc}") from None
    return await _answer(ls, session.id, arg)


async def set_permission_mode(ls: AgentServer, *args: Any) -> dict[str, Any]:
    arg = _argument(args)
    mode = arg.get("mode")
    if mode not in PERMISSION_MODES:
        raise BadArgument(f"'mode' must be one of {', '.join(PERMISSION_MODES)}")
    session_id = _string(arg, "sessionId")
    if session_id is None:
        ls.sessions.mode_override = mode
    elif session_id in ls.sessions.sessions:
        ls.sessions.set_mode(session_id, mode)
    else:
        raise BadArgument(f"no session {session_id!r} in this server")
    return {"mode": mode}


async def tasks(ls: AgentServer, *args: Any) -> list[dict[str, Any]]:
    """The background commands of one session (`sessionId`) or of every session."""
    return ls.sessions.tasks(_string(_argument(args), "sessionId"))


async def slash_commands(ls: AgentServer, *args: Any) -> list[dict[str, str]]:
    """Built-in and custom `/commands` and skills, for editor pickers."""
    _argument(args)
    extensions = await ls.sessions.extensions()
    if extensions is None:
        return []
    rows: list[dict[str, str]] = extensions.slash_listing()
    return rows


async def plugins(ls: AgentServer, *args: Any) -> dict[str, Any]:
    """The Claude Code plugins loaded for this workspace, where from, and what failed."""
    from lsp_agent.agent.claude.plugins.report import report

    _argument(args)
    extensions = await ls.sessions.extensions()
    if extensions is None:
        return {"loaded": [], "failed": [], "problems": []}
    return await asyncio.to_thread(report, extensions.plugins)  # reads the plugins' files


COMMANDS: dict[str, Callable[..., Awaitable[Any]]] = {
    "lspAgent.ask": ask,
    "lspAgent.fixDiagnostics": fix_diagnostics,
    "lspAgent.cancel": cancel,
    "lspAgent.acceptEdits": accept_edits,
    "lspAgent.rejectEdits": reject_edits,
    "lspAgent.sessions": sessions,
    "lspAgent.resume": resume,
    "lspAgent.setPermissionMode": set_permission_mode,
    "lspAgent.slashCommands": slash_commands,
    "lspAgent.plugins": plugins,
    "lspAgent.tasks": tasks,
}


def _warm_engine_imports() -> None:
    # The engine (httpx, the loop, the tools) is imported on first use to keep start-up light;
    # importing it in a thread right after start-up keeps that cost off the first run too.
    from lsp_agent.agent import loop  # noqa: F401
    from lsp_agent.agent.model import client  # noqa: F401
    from lsp_agent.agent.tools import registry  # noqa: F401


def register(server: AgentServer) -> None:
    for name, handler in COMMANDS.items():
        server.command(name)(handler)
    server.on_initialized(lambda: asyncio.ensure_future(asyncio.to_thread(_warm_engine_imports)))

    @server.feature(types.SHUTDOWN)
    async def on_shutdown(ls: AgentServer, params: None) -> None:
        await ls.sessions.close()
