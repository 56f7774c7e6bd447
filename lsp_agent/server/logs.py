"""Logging for the server: stderr always, the editor's log (`window/logMessage`) once connected.

Never stdout: it is the protocol channel. Records from worker threads are handed to the event
loop, because pygls's transport is not thread-safe.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from typing import TYPE_CHECKING

from lsprotocol import types

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

# Our own loggers only: forwarding pygls's debug logging would log every message we send.
FORWARDED_LOGGERS = ("lsp_agent", "indexer")

LEVELS = {
    "error": logging.ERROR,
    "warning": logging.WARNING,
    "info": logging.INFO,
    "debug": logging.DEBUG,
}

_MESSAGE_TYPES = (
    (logging.ERROR, types.MessageType.Error),
    (logging.WARNING, types.MessageType.Warning),
    (logging.INFO, types.MessageType.Info),
)


def _message_type(levelno: int) -> types.MessageType:
    for threshold, message_type in _MESSAGE_TYPES:
        if levelno >= threshold:
            return message_type
    return types.MessageType.Log


class EditorLogHandler(logging.Handler):
    """Sends log records to the client as `window/logMessage` notifications."""

    def __init__(self, server: LanguageServer) -> None:
        super().__init__()
        self.server = server
        self.loop: asyncio.AbstractEventLoop | None = None
        self._local = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        if self.loop is None or getattr(self._local, "busy", False):
            return  # not connected yet, or a record raised while sending one
        try:
            params = types.LogMessageParams(
                type=_message_type(record.levelno), message=self.format(record)
            )
        except Exception:
            self.handleError(record)
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self.loop:
            self._send(params)
        elif not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self._send, params)

    def _send(self, params: types.LogMessageParams) -> None:
        self._local.busy = True
        try:
            self.server.window_log_message(params)
        except Exception:  # the client went away: stderr still has the record
            pass
        finally:
            self._local.busy = False


def configure_stderr(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.WARNING)  # third-party libraries: warnings and up
    set_level(level)


def set_level(level: str) -> None:
    for name in FORWARDED_LOGGERS:
        logging.getLogger(name).setLevel(LEVELS[level])


def attach_editor_handler(handler: EditorLogHandler) -> None:
    handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    for name in FORWARDED_LOGGERS:
        logging.getLogger(name).addHandler(handler)
