"""`lsp-agent acp`: the Agent Client Protocol front end, on the `agent-client-protocol` SDK.

Each handler has the same shape: find the session, call the engine, convert the result. The
SDK runs every request as its own task, so a prompt streams while `session/cancel`,
`session/set_mode` and other sessions' requests are served. Sessions are built through the one
assembly (`agent.assembly.build_agent`), with ports that talk to the client (`ports.py`,
`permissions.py`) and one translator of the run's events (`translator.py`).
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from acp import PROTOCOL_VERSION, RequestError, schema

from lsp_agent import __version__
from lsp_agent.acp import config_options
from lsp_agent.acp.prompt import PromptBlock, convert
from lsp_agent.acp.session import Session
from lsp_agent.settings import PERMISSION_MODES, Settings

if TYPE_CHECKING:
    from acp.interfaces import Client

log = logging.getLogger(__name__)

MODE_NAMES = {
    "default": "Ask before edits and commands",
    "acceptEdits": "Accept edits",
    "plan": "Plan only",
    "bypassPermissions": "Bypass permissions",
    "dontAsk": "Don't ask (deny what is not allowed)",
}


class AcpAgent:
    def __init__(self, settings: Settings, environ: Mapping[str, str] | None = None) -> None:
        self.settings = settings
        self.environ = dict(os.environ if environ is None else environ)
        self.sessions: dict[str, Session] = {}
        self.client_caps = schema.ClientCapabilities()
        self._conn: Client | None = None

    def on_connect(self, conn: Client) -> None:
        self._conn = conn

    @property
    def conn(self) -> Client:
        assert self._conn is not None, "on_connect comes first"
        return self._conn

    # -- lifecycle --------------------------------------------------------------------------

    async def initialize(
        self,
        protocol_version: int,
        client_capabilities: schema.ClientCapabilities | None = None,
        client_info: schema.Implementation | None = None,
        **kwargs: Any,
    ) -> schema.InitializeResponse:
        self.client_caps = client_capabilities or schema.ClientCapabilities()
        sessions = schema.SessionCapabilities(
            list=schema.SessionListCapabilities(),
            resume=schema.SessionResumeCapabilities(),
            close=schema.SessionCloseCapabilities(),
            additional_directories=schema.SessionAdditionalDirectoriesCapabilities(),
            fork=schema.SessionForkCapabilities(),
        )
        capabilities = schema.AgentCapabilities(
            load_session=True,
            prompt_capabilities=schema.PromptCapabilities(
                image=True, audio=False, embedded_context=True
            ),
            mcp_capabilities=schema.McpCapabilities(http=True, sse=True),
            session_capabilities=sessions,
        )
        return schema.InitializeResponse(
            protocol_version=min(protocol_version, PROTOCOL_VERSION),
            agent_capabilities=capabilities,
            agent_info=schema.Implementation(
                name="lsp-agent", title="lsp-agent", version=__version__
            ),
            auth_methods=[],
        )

    async def new_session(
        self,
        cwd: str,
        additional_directories: list[str] | None = None,
        mcp_servers: list[Any] | None = None,
        **kwargs: Any,
    ) -> schema.NewSessionResponse:
        session = await self._open(cwd, additional_directories, None, mcp_servers)
        await self._start(session)
        session.updates.open_after_reply()  # the client learns the session from the answer
        return schema.NewSessionResponse(
            session_id=session.id, modes=self._modes(session), config_options=self._config(session)
        )

    async def load_session(
        self,
        cwd: str,
        session_id: str,
        mcp_servers: list[Any] | None = None,
        additional_directories: list[str] | None = None,
        **kwargs: Any,
    ) -> schema.LoadSessionResponse:
        from lsp_agent.acp.replay import replay

        session = await self._open(cwd, additional_directories, session_id, mcp_servers)
        assert session.agent is not None
        session.updates.open()  # the client asked for this id, and the history goes first
        for update in replay(session.id, session.agent.messages):
            session.updates.put(update)
        await self._start(session)  # after the history: what its hooks say is new
        await session.updates.drain()  # the history comes before the answer
        return schema.LoadSessionResponse(
            modes=self._modes(session), config_options=self._config(session)
        )

    async def resume_session(
        self,
        session_id: str,
        cwd: str,
        additional_directories: list[str] | None = None,
        mcp_servers: list[Any] | None = None,
        **kwargs: Any,
    ) -> schema.ResumeSessionResponse:
        session = await self._open(cwd, additional_directories, session_id, mcp_servers)
        await self._start(session)
        session.updates.open_after_reply()
        return schema.ResumeSessionResponse(
            modes=self._modes(session), config_options=self._config(session)
        )

    async def fork_session(
        self,
        session_id: str,
        cwd: str,
        additional_directories: list[str] | None = None,
        mcp_servers: list[Any] | None = None,
        **kwargs: Any,
    ) -> schema.ForkSessionResponse:
        """A new session that starts from a copy of a saved one's conversation (open or not:
        its transcript is written as it goes; a turn still running is left out); the original
        is not touched. Unstable in ACP, offered as `sessionCapabilities.fork`."""
        from lsp_agent.agent.transcript import SessionNotFound
        from lsp_agent.agent.transcript import fork_session as copy_transcript

        try:
            forked = await asyncio.to_thread(copy_transcript, session_id)
        except SessionNotFound as exc:
            raise RequestError.resource_not_found(str(exc)) from exc
        session = await self._open(cwd, additional_directories, forked, mcp_servers)
        await self._start(session, "fork")
        session.updates.open_after_reply()  # a new id, as for session/new
        return schema.ForkSessionResponse(
            session_id=session.id, modes=self._modes(session), config_options=self._config(session)
        )

    async def list_sessions(
        self, cwd: str | None = None, cursor: str | None = None, **kwargs: Any
    ) -> schema.ListSessionsResponse:
        found = await asyncio.to_thread(_saved_sessions, cwd)
        return schema.ListSessionsResponse(sessions=found)

    async def close_session(self, session_id: str, **kwargs: Any) -> schema.CloseSessionResponse:
        session = self._session(session_id)
        del self.sessions[session_id]
        await session.close()
        return schema.CloseSessionResponse()

    async def shutdown(self) -> None:
        """The client went away: stop every run (their tools' processes with them), keep the
        transcripts for a later session/load."""
        sessions, self.sessions = list(self.sessions.values()), {}
        await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)

    # -- a session's requests ---------------------------------------------------------------

    async def prompt(
        self, session_id: str, prompt: list[PromptBlock], **kwargs: Any
    ) -> schema.PromptResponse:
        session = self._session(session_id)
        if session.running:
            raise RequestError.invalid_request(
                {"details": f"session {session_id} is already running a prompt"}
            )
        return await session.prompt(convert(prompt))

    async def cancel(self, session_id: str, **kwargs: Any) -> None:
        session = self.sessions.get(session_id)
        if session is not None and session.cancel is not None:
            session.cancel.cancel("cancelled by the client")

    async def set_session_mode(
        self, session_id: str, mode_id: str, **kwargs: Any
    ) -> schema.SetSessionModeResponse:
        session = self._session(session_id)
        if mode_id not in PERMISSION_MODES:
            raise RequestError.invalid_params({"modeId": f"unknown mode {mode_id!r}"})
        session.set_mode(mode_id)
        return schema.SetSessionModeResponse()

    async def set_config_option(
        self, config_id: str, session_id: str, value: Any, **kwargs: Any
    ) -> schema.SetSessionConfigOptionResponse:
        session = self._session(session_id)
        assert session.agent is not None
        session.agent.options.model = config_options.model_choice(config_id, value)
        return schema.SetSessionConfigOptionResponse(config_options=self._config(session))

    # -- not offered: answered as unknown methods ------------------------------------------

    async def authenticate(self, method_id: str, **kwargs: Any) -> None:
        raise RequestError.method_not_found("authenticate")

    async def ext_method(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        raise RequestError.method_not_found(method)

    async def ext_notification(self, method: str, params: dict[str, Any]) -> None:
        return None

    # -- helpers ----------------------------------------------------------------------------

    def _session(self, session_id: str) -> Session:
        session = self.sessions.get(session_id)
        if session is None:
            raise RequestError.invalid_params({"sessionId": f"unknown session {session_id!r}"})
        return session

    async def _open(
        self,
        cwd: str,
        add_dirs: list[str] | None,
        resume: str | None,
        mcp_servers: list[Any] | None,
    ) -> Session:
        from lsp_agent.acp.build import build_session

        root = Path(cwd)
        if not root.is_absolute() or not root.is_dir():
            raise RequestError.invalid_params({"cwd": f"not an absolute directory: {cwd}"})
        if resume is not None and resume in self.sessions:
            raise RequestError.invalid_request({"sessionId": f"session {resume} is open"})
        session = await build_session(
            self.settings,
            self.conn,
            self.client_caps,
            self.environ,
            cwd=root.resolve(),
            add_dirs=[Path(d).resolve() for d in add_dirs or []],
            resume=resume,
            mcp_servers=mcp_servers,
        )
        self.sessions[session.id] = session
        return session

    async def _start(self, session: Session, source: str = "") -> None:
        """The session starts when the client opens it, as Claude Code's does at launch:
        SessionStart hooks run now, before the first prompt (their context goes with it). Then
        the commands the client offers, with any a hook installed (`reloadSkills`)."""
        from lsp_agent.acp.build import commands_update

        assert session.agent is not None and session.extensions is not None
        await session.agent.start(source)
        session.updates.put(commands_update(session.extensions.slash_listing()))

    def _config(self, session: Session) -> list[Any]:
        assert session.agent is not None
        return list(config_options.options(session.agent.options.model))

    def _modes(self, session: Session) -> schema.SessionModeState:
        assert session.agent is not None
        modes = [schema.SessionMode(id=m, name=MODE_NAMES.get(m, m)) for m in PERMISSION_MODES]
        current = session.agent.options.permission_mode
        return schema.SessionModeState(current_mode_id=current, available_modes=modes)


def _saved_sessions(cwd: str | None) -> list[schema.SessionInfo]:
    from lsp_agent.agent.transcript import saved_sessions

    return [
        schema.SessionInfo(
            session_id=saved.session_id,
            cwd=saved.cwd,
            title=saved.title or None,
            updated_at=datetime.datetime.fromtimestamp(saved.modified, datetime.UTC).isoformat(),
        )
        for saved in saved_sessions(cwd)
    ]
