"""Work-done progress for indexing: percentage and file counts, cancellable by the client."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import uuid
from typing import TYPE_CHECKING, Any

from lsprotocol import types

if TYPE_CHECKING:
    from indexer.workspace import Progress
    from lsp_agent.server.app import AgentServer

logger = logging.getLogger(__name__)


class IndexProgress:
    """Work-done progress for one refresh: percentage and file counts, cancellable."""

    def __init__(self, server: AgentServer, token: str | None, cancel: threading.Event) -> None:
        self.server, self.token, self.cancel = server, token, cancel
        self.loop = asyncio.get_running_loop()
        self.percent = -1

    @classmethod
    async def start(cls, server: AgentServer, root: str, cancel: threading.Event) -> IndexProgress:
        window = server.client_capabilities.window
        if not (window and window.work_done_progress):
            return cls(server, None, cancel)
        token = f"lsp-agent-index-{uuid.uuid4()}"
        try:
            await server.work_done_progress.create_async(token)
        except Exception as exc:
            logger.warning("no indexing progress: %s", exc)
            return cls(server, None, cancel)
        begin = types.WorkDoneProgressBegin(
            title="Indexing symbols", message=os.path.basename(root), percentage=0, cancellable=True
        )
        server.work_done_progress.begin(token, begin)
        server.work_done_progress.tokens[token].add_done_callback(lambda _: cancel.set())
        return cls(server, token, cancel)

    def from_thread(self, progress: Progress) -> None:
        percent = progress.done * 100 // max(progress.total, 1)
        if self.token is None or percent == self.percent:
            return
        self.percent = percent
        message = f"{progress.done}/{progress.total} files"
        report = types.WorkDoneProgressReport(message=message, percentage=percent)
        self.loop.call_soon_threadsafe(self.server.work_done_progress.report, self.token, report)

    def end(self, stats: Any) -> None:
        if self.token is None:
            return
        message = f"{stats.files} files, {stats.symbols} symbols" if stats else "stopped"
        self.server.work_done_progress.end(self.token, types.WorkDoneProgressEnd(message=message))
