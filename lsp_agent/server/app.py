"""The language server object and the list of feature modules that make it up.

Each feature module has `register(server)`, which adds its handlers. pygls advertises a
capability only when a handler for it is registered, so the server never claims a feature it
does not implement.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import json
import logging
import os
import sys
from collections.abc import Callable
from typing import Any

from pygls.lsp.server import LanguageServer

from lsp_agent import __version__, credentials
from lsp_agent.server import stdio
from lsp_agent.server.diagnostics import DiagnosticStore, plain_value
from lsp_agent.server.documents import Documents
from lsp_agent.server.edits import Proposals
from lsp_agent.server.logs import EditorLogHandler
from lsp_agent.server.protocol import AgentProtocol
from lsp_agent.server.sessions import SessionManager
from lsp_agent.settings import Settings

logger = logging.getLogger(__name__)

# Order matters only for `documents`, which must own the text-sync notifications first.
FEATURES = [
    "lsp_agent.server.documents",
    "lsp_agent.server.config",
    "lsp_agent.server.symbols",
    "lsp_agent.server.diagnostics",
    "lsp_agent.server.code_actions",
    "lsp_agent.server.commands",
    "lsp_agent.server.change_commands",
]


class AgentServer(LanguageServer):
    def __init__(self, environ: dict[str, str] | None = None) -> None:
        super().__init__("lsp-agent", __version__, protocol_cls=AgentProtocol)
        self.environ = dict(os.environ if environ is None else environ)
        credentials.remember(self.environ)  # redacted from everything the server writes
        credentials.redact_logs()
        self.settings = Settings()
        self.settings_problems: list[str] = []
        self.initialization_options: Any = None
        self.log_handler = EditorLogHandler(self)
        self._settings_listeners: list[Callable[[Settings], None]] = []
        self._initialized_callbacks: list[Callable[[], Any]] = []
        self.index: Any = None  # the symbol index's server state, once that feature registers
        self.documents = Documents(self)
        self.diagnostics = DiagnosticStore()
        self.proposals = Proposals()
        self.sessions = SessionManager(self)

    def on_initialized(self, callback: Callable[[], Any]) -> None:
        """Call `callback()` (a coroutine function or a plain one) once the client has sent
        `initialized` and the settings are read. pygls allows one handler per method, so
        features subscribe here instead of registering `initialized` themselves."""
        self._initialized_callbacks.append(callback)

    async def run_initialized_callbacks(self) -> None:
        # What exists by now (modules, pygls's and lsprotocol's converters: some 50,000
        # objects) lives as long as the server. Frozen, the collector no longer walks it on
        # every full collection: while a cold index was built each one stopped the server for
        # 30-110 ms (bench/busy_latency.py), the slowest answers of that phase.
        gc.freeze()
        for callback in self._initialized_callbacks:
            try:
                result = callback()
                if asyncio.iscoroutine(result):
                    await result
            except Exception:
                logger.exception("start-up step %r failed", callback)

    async def custom_request(self, method: str, params: Any) -> Any:
        """A request of our own (`lspAgent/...`) to the client: its result as plain JSON."""
        # pygls hands an unknown method's result over as attribute objects.
        return plain_value(await self.protocol.send_request_async(method, params))

    def on_settings_changed(self, listener: Callable[[Settings], None]) -> None:
        """Call `listener(settings)` whenever the effective settings change."""
        self._settings_listeners.append(listener)

    def set_settings(self, settings: Settings) -> None:
        changed = settings != self.settings
        self.settings = settings
        if changed:
            for listener in self._settings_listeners:
                listener(settings)

    def start_io(self, stdin: Any = None, stdout: Any = None) -> None:
        """Serve over stdio, read by the event loop when stdin is a pipe (`stdio`)."""
        stdin, stdout = stdin or sys.stdin.buffer, stdout or sys.stdout.buffer
        if stdio.loop_can_read(stdin, stdout):
            stdio.serve(self, stdin, stdout)
        else:
            super().start_io(stdin, stdout)

    def report_server_error(self, error: Exception, source: Any) -> None:
        if isinstance(error, json.JSONDecodeError):
            logger.warning("received invalid JSON: %s", error)
            protocol = self.protocol
            assert isinstance(protocol, AgentProtocol)
            protocol.answer_parse_error(error)
            return
        super().report_server_error(error, source)


def create_server(environ: dict[str, str] | None = None) -> AgentServer:
    server = AgentServer(environ)
    for name in FEATURES:
        importlib.import_module(name).register(server)
    return server
