"""`lspAgent.changes`, `lspAgent.revertChanges` and `lspAgent.rewind` (docs/protocol.md,
"Reviewing a run's changes"): what a session's runs changed, and undoing it."""

from __future__ import annotations

from typing import Any

from lsp_agent.agent import checkpoints
from lsp_agent.agent.changes import rewind_conversation
from lsp_agent.server import changes
from lsp_agent.server.app import AgentServer  # pygls reads handlers' annotations at run time
from lsp_agent.server.commands import BadArgument, _argument, _hunks, _string
from lsp_agent.server.sessions import ServerSession


def _session(ls: AgentServer, arg: dict[str, Any]) -> ServerSession:
    session_id = _string(arg, "sessionId", required=True) or ""
    try:
        return ls.sessions.known(session_id)
    except LookupError:
        raise BadArgument(f"no session {session_id!r}") from None


def _run(session: ServerSession, arg: dict[str, Any]) -> int:
    """The `run` argument (1-based; default: the latest run)."""
    run = arg.get("run", len(session.changes.runs))
    if not isinstance(run, int) or isinstance(run, bool):
        raise BadArgument("'run' must be a run number (1 is the session's first prompt)")
    try:
        session.changes.run(run)
    except LookupError as exc:
        raise BadArgument(str(exc)) from None
    return run


def _idle(session: ServerSession) -> None:
    if session.running:
        raise BadArgument(f"session {session.id} is still running; cancel it first")


async def list_changes(ls: AgentServer, *args: Any) -> dict[str, Any]:
    return changes.listing(ls, _session(ls, _argument(args)))


async def revert_changes(ls: AgentServer, *args: Any) -> dict[str, Any]:
    """One run's change: all of it, one file (`uri`), or some of that file's `hunks`."""
    arg = _argument(args)
    session = _session(ls, arg)
    _idle(session)
    run = _run(session, arg)
    uri, hunks = _string(arg, "uri"), _hunks(arg)
    if hunks is not None and uri is None:
        raise BadArgument("'hunks' needs the 'uri' of their file")
    try:
        return await changes.revert_changes(
            ls, session, run, run, uri, None if hunks is None else set(hunks)
        )
    except LookupError as exc:
        raise BadArgument(str(exc)) from None


async def rewind(ls: AgentServer, *args: Any) -> dict[str, Any]:
    """Undo every run from `run` on as one edit; with `conversation`, also forget those prompts
    (only once every file was restored: a conflict keeps the conversation as it is)."""
    arg = _argument(args)
    session = _session(ls, arg)
    _idle(session)
    run = _run(session, arg)
    answer = await changes.revert_changes(ls, session, run, None)
    if arg.get("conversation") and answer["applied"]:
        if answer["conflicts"]:
            answer["conversation"] = "kept: some changes could not be reverted"
        else:
            await _rewind_conversation(session, run)
            answer["conversation"] = "rewound"
    return answer


async def _rewind_conversation(session: ServerSession, run: int) -> None:
    """In the running agent, or (a session not resumed here yet) in its transcript on disk."""
    from lsp_agent.agent.transcript import resume_session

    changes = session.changes.run(run)
    agent = session.agent
    if agent is not None:
        agent.messages = rewind_conversation(agent.transcript, agent.messages, changes)
    else:
        transcript, messages = resume_session(session.id)
        try:
            rewind_conversation(transcript, messages, changes)
        finally:
            transcript.close()
    session.changes.truncate(run)
    if session.checkpoints is not None:
        await session.checkpoints.forget_from(run)
    else:
        checkpoints.forget_from(session.id, run)


COMMANDS = {
    "lspAgent.changes": list_changes,
    "lspAgent.revertChanges": revert_changes,
    "lspAgent.rewind": rewind,
}


def register(server: AgentServer) -> None:
    for name, handler in COMMANDS.items():
        server.command(name)(handler)
