"""Agent sessions in the server: start a run in the background, stream it, cancel it.

Commands return as soon as the session exists; the run goes on in a task, which builds the
prompt (with the index's context) and the agent. Each session is an engine `Agent` (its own
transcript, resumable) built by the engine's one assembly (`agent.assembly.build_agent`) from
the server's settings and its ports: open buffers as the DocumentSource, proposals as the
EditSink, prompts as `can_use_tool`, the stream reporter as the event sink.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from lsp_agent.agent.changes import ChangeLog, RecordingEditSink, conversation_length
from lsp_agent.agent.events import AgentEvent, RunFailed, ToolStarted
from lsp_agent.agent.ports import Cancelled, CancelToken, SymbolIndex
from lsp_agent.server.documents import BufferSource
from lsp_agent.server.edits import LspEditSink, uri_of
from lsp_agent.server.prompts import PermissionPrompter, ProjectPrompts
from lsp_agent.server.reporter import EditorOutput, StreamReporter

if TYPE_CHECKING:
    from lsp_agent.agent.checkpoints import CheckpointWriter
    from lsp_agent.agent.claude.extensions import Extensions
    from lsp_agent.agent.loop import Agent
    from lsp_agent.agent.options import AgentResult
    from lsp_agent.agent.transcript import Transcript
    from lsp_agent.server.app import AgentServer

logger = logging.getLogger(__name__)

PROGRESS_CREATE_TIMEOUT_S = 5.0
# initializationOptions key: the editor's own trust in the workspace (VS Code's Workspace Trust).
TRUST_OPTION = "workspaceTrusted"


@dataclass
class ServerSession:
    id: str
    title: str
    uri: str | None
    action: str = "ask"
    agent: Agent | None = None  # built by the first run (after the extensions are loaded)
    transcript: Transcript | None = None  # a new session's, until its Agent takes it over
    resume: str | None = None  # a persisted session to continue, until its Agent loads it
    mode: str | None = None  # None: follow the server's default
    reporter: StreamReporter | None = None
    cancel: CancelToken | None = None
    task: asyncio.Task[Any] | None = None
    updated: float = field(default_factory=time.time)
    manager: SessionManager | None = None
    changes: ChangeLog = field(default_factory=ChangeLog)  # what each run changed (review)
    checkpoints: CheckpointWriter | None = None  # where `changes` is kept on disk

    @property
    def permission_mode(self) -> str:
        """The agent's own mode once it exists (ExitPlanMode can change it mid-run)."""
        if self.agent is not None:
            return self.agent.options.permission_mode
        if self.mode is not None:
            return self.mode
        assert self.manager is not None
        return self.manager.default_mode

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()

    def on_event(self, event: AgentEvent) -> None:
        if isinstance(event, ToolStarted):
            self.changes.note_tool(event.name, str(event.input.get("command", ""))[:200])
        if self.reporter is not None:
            self.reporter(event)


class SessionManager:
    def __init__(self, server: AgentServer) -> None:
        self.server = server
        self.sessions: dict[str, ServerSession] = {}
        self.mode_override: str | None = None  # lspAgent.setPermissionMode without a session
        self._extensions: asyncio.Task[Extensions | None] | None = None  # shared by sessions
        self._trust: asyncio.Task[bool] | None = None  # the user's answer about the root

    @property
    def default_mode(self) -> str:
        return self.mode_override or self.server.settings.permissionMode

    # -- starting ----------------------------------------------------------------------------

    def start(
        self,
        prompt: Callable[[], str],
        title: str,
        uri: str | None,
        session_id: str | None = None,
        work_done_token: types.ProgressToken | None = None,
        action: str = "ask",
    ) -> ServerSession:
        """Create or continue a session and start the run; returns before the model is called.
        `prompt` is called by the run's task: building it (the index's context) is no work for
        the request handler."""
        session = self.sessions.get(session_id) if session_id else None
        if session is not None and session.running:
            raise RuntimeError(f"session {session_id} is still running; cancel it first")
        if session is None:
            session = self._open(title, uri, session_id)
        session.title, session.action, session.updated = title, action, time.time()
        session.cancel = CancelToken()
        session.task = asyncio.ensure_future(self._run(session, prompt, work_done_token))
        return session

    def known(self, session_id: str) -> ServerSession:
        """A session of this server, or one on disk (then opened, not run: its change sets
        can be reviewed and reverted before or without resuming it). LookupError if neither."""
        session = self.sessions.get(session_id)
        if session is None:
            # Only this workspace's: another folder's session would revert files outside it.
            if session_id not in {info["sessionId"] for info in _persisted(self.root())}:
                raise LookupError(f"no session {session_id!r} in this workspace")
            session = self._open("", None, session_id)
            prompts = [run.prompt for run in session.changes.runs if run.prompt.strip()]
            session.title = prompts[0].splitlines()[0][:60] if prompts else session_id
        return session

    def _open(self, title: str, uri: str | None, resume: str | None) -> ServerSession:
        """A session whose id is known at once; its Agent is built when the run starts."""
        from lsp_agent.agent.transcript import new_session, sessions_dir

        session = ServerSession(id="", title=title, uri=uri, manager=self)
        if resume is None:
            session.transcript = new_session(self.root(), self.server.settings.model)
            session.id = session.transcript.session_id
        elif (sessions_dir() / f"{resume}.jsonl").is_file() and "/" not in resume:
            session.id = session.resume = resume
        else:
            raise LookupError(f"no session {resume!r} to resume")
        self._keep_checkpoints(session)
        self.sessions[session.id] = session
        return session

    @staticmethod
    def _keep_checkpoints(session: ServerSession) -> None:
        """Each run's change set is kept in the session's directory (as `lsp-agent ask` keeps
        it), so a resumed session can still be reviewed and rewound."""
        from lsp_agent.agent import checkpoints

        try:
            session.changes.runs = checkpoints.load(session.id).runs
        except (OSError, ValueError, KeyError):
            logger.warning("session %s: unreadable checkpoints; starting without", session.id)
        session.checkpoints = checkpoints.CheckpointWriter(session.id)
        session.changes.on_change = session.checkpoints

    async def _agent(self, session: ServerSession) -> Agent:
        from lsp_agent.agent.assembly import Host, build_agent

        # Shielded: cancelling this run must not cancel the load other sessions share.
        extensions = await asyncio.shield(self.extensions())
        trusted = await asyncio.shield(self.trust())
        sink = LspEditSink(self.server, session)
        host = Host(
            documents=BufferSource(self.server.documents),
            edits=RecordingEditSink(sink, session.changes, sink.current_text),
            on_event=session.on_event,
            can_use_tool=PermissionPrompter(self.server),
            index=self._index(),
            extensions=extensions.share() if extensions is not None else None,
            environ=self.server.environ,
            transcript=session.transcript,
        )
        return build_agent(
            self.server.settings,
            host,
            cwd=self.root(),
            trusted=trusted,
            add_dirs=self.folders(),  # a multi-root workspace: the tools reach every folder
            permission_mode=session.permission_mode,
            resume=session.resume,
        )

    def extensions(self) -> asyncio.Task[Extensions | None]:
        """Users' `.claude/` hooks, commands, skills, agents and MCP servers, loaded once."""
        if self._extensions is None:
            self._extensions = asyncio.ensure_future(self._load_extensions())
        return self._extensions

    def trust(self) -> asyncio.Task[bool]:
        """Whether the user trusts the root folder, decided once (asking at most once)."""
        if self._trust is None:
            self._trust = asyncio.ensure_future(self._trust_or_not())
        return self._trust

    async def _trust_or_not(self) -> bool:
        try:
            return await self._decide_trust()
        except Exception:  # e.g. an unreadable data dir: the folder stays untrusted
            logger.exception("deciding workspace trust failed")
            return False

    async def _decide_trust(self) -> bool:
        """The editor's own trust state when it sends one (VS Code's Workspace Trust), else the
        remembered answer for what the folder supplies now, else the user's answer to a
        question showing it. A folder that supplies nothing to trust is not asked about."""
        from lsp_agent.agent.claude.trust import TrustStore, supplied

        options = self.server.initialization_options
        given = options.get(TRUST_OPTION) if isinstance(options, dict) else None
        if isinstance(given, bool):
            return given
        root = self.root()
        found, store = supplied(root), TrustStore()
        if found.empty:
            return False  # nothing of the folder's would differ: no question
        remembered = store.get(root, found.fingerprint())
        if remembered is None:
            remembered = await ProjectPrompts(self.server).trust(root, found.lines())
            if remembered is not None:
                store.set(root, remembered, found.fingerprint())
        return remembered == "trusted"

    async def _load_extensions(self) -> Extensions | None:
        from lsp_agent.agent.claude.extensions import Extensions

        prompts = ProjectPrompts(self.server)
        try:
            trusted = await self.trust()
            return await Extensions.load(
                self.root(),
                trusted=trusted,
                approve_mcp=prompts.approve_mcp_server,
                on_problem=prompts.problem,
                environ=self.server.environ,
                plugin_dirs=self._plugin_dirs(trusted, prompts.problem),
                plugin_origin="plugins.dirs",
            )
        except Exception:  # the agent still works without the user's extensions
            logger.exception("loading .claude/ extensions failed")
            return None

    def _plugin_dirs(self, trusted: bool, report: Callable[[str], None]) -> list[Path]:
        """`plugins.dirs`; one inside the workspace is the folder's own (its settings may name
        it), so it waits for trust like the folder's hooks."""
        root = self.root().resolve()
        dirs = []
        for text in self.server.settings.plugins.dirs:
            path = (root / Path(text).expanduser()).resolve()
            if not trusted and path.is_relative_to(root):
                report(f"plugin {path}: not loaded until the folder is trusted")
                continue
            dirs.append(path)
        return dirs

    def _index(self) -> SymbolIndex | None:
        """The symbol index for the tools: every workspace folder, open buffers included (None
        when indexing is off). Given while the first build still runs, too: the tools then
        answer from what is indexed so far, and a run's tools never depend on that timing."""
        index = self.server.index
        return index if index is not None and self.server.settings.index.enabled else None

    def folders(self) -> list[Path]:
        """The workspace folders other than the root: the agent's additional directories."""
        root = self.root().resolve()
        folders = (
            [Path(f).resolve() for f in self.server.index.folders()] if self.server.index else []
        )
        return [f for f in dict.fromkeys(folders) if f != root]

    def root(self) -> Path:
        root = self.server.workspace.root_path
        return Path(root) if root else Path.cwd()

    # -- running -----------------------------------------------------------------------------

    async def _run(
        self, session: ServerSession, prompt: Callable[[], str], token: types.ProgressToken | None
    ) -> AgentResult | None:
        assert session.cancel is not None
        progress = await self._begin_progress(session, token)
        session.reporter = StreamReporter(
            self._output(),
            session.id,
            progress,
            session.cancel,
            title=session.title,
            action=session.action,
            uri=session.uri,
        )
        result = None
        try:
            text = prompt()
            if session.agent is None:
                from lsp_agent.agent.model.client import race_cancel

                session.agent = await race_cancel(self._agent(session), session.cancel)
                session.transcript = session.resume = None
            session.changes.begin(text, conversation_length(session.agent.messages))
            result = await session.agent.run(text, session.cancel)
        except Cancelled:
            pass  # cancelled before the engine took over; _finish reports it
        except Exception as exc:  # the engine returns errors as results; this is a bug
            logger.exception("session %s failed", session.id)
            session.reporter(
                RunFailed(session_id=session.id, message=f"{type(exc).__name__}: {exc}")
            )
        finally:
            session.updated = time.time()
            try:
                if session.checkpoints is not None:
                    await session.checkpoints.drain()
            finally:
                self._finish(session, progress, result)
        return result

    def _output(self) -> EditorOutput:
        server = self.server
        protocol = server.protocol
        progress = server.work_done_progress
        return EditorOutput(
            notify=protocol.notify,
            report_progress=progress.report,
            log=server.window_log_message,
            show=server.window_show_message,
            version_of=server.documents.version,
            uri_of=lambda path: uri_of(Path(path)),
        )

    async def _begin_progress(
        self, session: ServerSession, token: types.ProgressToken | None
    ) -> str | None:
        progress = self.server.work_done_progress
        if token is None:
            window = self.server.client_capabilities.window
            if not (window and window.work_done_progress):
                return None
            token = f"lsp-agent-{uuid.uuid4().hex[:12]}"
            try:
                async with asyncio.timeout(PROGRESS_CREATE_TIMEOUT_S):
                    await progress.create_async(token)
            except Exception as exc:
                logger.warning("client refused a progress token: %s", exc)
                return None
        progress.begin(
            token,
            types.WorkDoneProgressBegin(title=f"Claude: {session.title}", cancellable=True),
        )
        cancel = session.cancel
        future = progress.tokens.get(token)
        if future is not None and cancel is not None:
            future.add_done_callback(
                lambda f: cancel.cancel("cancelled from the editor") if f.cancelled() else None
            )
        return str(token)

    def _finish(
        self, session: ServerSession, progress: str | None, result: AgentResult | None
    ) -> None:
        if session.cancel is not None and session.cancel.cancelled:
            summary, kind = f"Claude: {session.title}: cancelled", types.MessageType.Info
        elif result is None:
            summary, kind = f"Claude: {session.title}: failed", types.MessageType.Error
        elif result.is_error:
            summary, kind = f"Claude: {result.result}", types.MessageType.Error
        else:
            summary, kind = f"Claude: {result.result or 'done'}", types.MessageType.Info
        if progress is not None:
            self.server.work_done_progress.tokens.pop(progress, None)
            self.server.work_done_progress.end(
                progress, types.WorkDoneProgressEnd(message=summary[:200])
            )
            if session.reporter is not None:  # a background agent reports on, without progress
                session.reporter.progress_token = None
        self.server.window_show_message(types.ShowMessageParams(type=kind, message=summary))

    # -- control -----------------------------------------------------------------------------

    def set_mode(self, session_id: str, mode: str) -> None:
        session = self.sessions[session_id]
        session.mode = mode
        if session.agent is not None:
            session.agent.set_mode(mode)

    def cancel(self, session_id: str | None = None) -> list[str]:
        targets = [self.sessions[session_id]] if session_id in self.sessions else []
        if session_id is None:
            targets = list(self.sessions.values())
        cancelled = []
        for session in targets:
            if session.running and session.cancel is not None:
                session.cancel.cancel("cancelled by the user")
                cancelled.append(session.id)
        return cancelled

    def tasks(self, session_id: str | None = None) -> list[dict[str, Any]]:
        """Background commands, each with its `sessionId`, of one session or of all."""
        chosen = [self.sessions[session_id]] if session_id in self.sessions else []
        if session_id is None:
            chosen = list(self.sessions.values())
        found = []
        for session in chosen:
            background = session.agent.ctx.background if session.agent is not None else None
            for task in background.listing() if background is not None else []:
                found.append({"sessionId": session.id, **task})
        return found

    async def wait(self, session_id: str) -> AgentResult | None:
        session = self.sessions[session_id]
        if session.task is None:
            return None
        return await asyncio.shield(session.task)

    def listing(self) -> list[dict[str, Any]]:
        """This server's sessions and the transcripts on disk for this workspace, newest first."""
        seen = {info["sessionId"]: info for info in _persisted(self.root())}
        for session in self.sessions.values():
            seen[session.id] = {
                "sessionId": session.id,
                "title": session.title,
                "cwd": str(self.root()),
                "updated": session.updated,
                "running": session.running,
            }
        return sorted(seen.values(), key=lambda s: s["updated"], reverse=True)

    async def close(self) -> None:
        """On shutdown: cancel the runs, end the sessions (SessionEnd hooks) and stop the MCP
        servers."""
        self.cancel()
        tasks = [s.task for s in self.sessions.values() if s.task is not None]
        if tasks:
            await asyncio.wait(tasks, timeout=2)
        for session in self.sessions.values():
            if session.agent is not None:
                await session.agent.aclose()
        if self._extensions is not None and self._extensions.done():
            extensions = self._extensions.result()
            if extensions is not None:
                await extensions.aclose()


def _persisted(root: Path) -> list[dict[str, Any]]:
    """Transcripts on disk started in `root`: id, title (the first prompt), last write."""
    from lsp_agent.agent.transcript import saved_sessions

    return [
        {
            "sessionId": saved.session_id,
            "title": saved.title,
            "cwd": saved.cwd,
            "updated": saved.modified,
            "running": False,
        }
        for saved in saved_sessions(str(root))
    ]
