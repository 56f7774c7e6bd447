"""Open documents: one owner for the text-sync notifications, fanned out to listeners.

pygls allows one handler per LSP method and applies each change to its document before calling
it. Several features need these events (the index re-parses, the edit sink checks that an edit
landed), so they subscribe here with `server.documents.subscribe(listener)` instead of
registering `textDocument/did*` themselves.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from lsprotocol import types
from pygls import uris

if TYPE_CHECKING:
    from lsp_agent.server.app import AgentServer

logger = logging.getLogger(__name__)

DocumentEventKind = Literal["open", "change", "save", "close"]


@dataclass(frozen=True)
class DocumentEvent:
    kind: DocumentEventKind
    uri: str
    version: int | None
    # The raw params, for listeners that need the incremental changes (the index's tree.edit).
    params: object


Listener = Callable[[DocumentEvent], None]


# How many recent (version, text) states to keep per open document: enough to see an applied
# edit even if the user typed again before the edit sink looked.
HISTORY = 16


class Documents:
    def __init__(self, server: AgentServer) -> None:
        self.server = server
        self._listeners: list[Listener] = []
        self._changed = asyncio.Condition()
        self.history: dict[str, deque[tuple[int | None, str]]] = {}

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def publish(self, event: DocumentEvent) -> None:
        self._remember(event)
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:  # one broken listener must not starve the others
                logger.exception("document listener failed on %s %s", event.kind, event.uri)

    def _remember(self, event: DocumentEvent) -> None:
        """Snapshot the text at each version, synchronously, before anyone can await."""
        if event.kind == "close":
            self.history.pop(event.uri, None)
            return
        text = self.text(event.uri)
        if text is not None and event.kind in ("open", "change"):
            states = self.history.setdefault(event.uri, deque(maxlen=HISTORY))
            states.append((event.version, text))

    def held_since(self, uri: str, version: int | None, text: str) -> bool:
        """Whether the document held `text` at some version after `version`."""
        return any(
            v is not None and (version is None or v > version) and t == text
            for v, t in self.history.get(uri, ())
        )

    async def notify_waiters(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def text(self, uri: str) -> str | None:
        """The buffer's text if the document is open, else None."""
        document = self.server.workspace.text_documents.get(uri)
        return None if document is None else document.source

    def version(self, uri: str) -> int | None:
        document = self.server.workspace.text_documents.get(uri)
        return None if document is None else document.version

    async def wait_for(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Wait until `predicate()` holds after some document event, or time out."""
        try:
            async with asyncio.timeout(timeout):
                async with self._changed:
                    await self._changed.wait_for(predicate)
            return True
        except TimeoutError:
            return predicate()


class BufferSource:
    """The engine's DocumentSource: open buffers' unsaved text first, then (None) disk."""

    def __init__(self, documents: Documents) -> None:
        self.documents = documents

    def read_text(self, path: Path) -> str | None:
        return self.documents.text(uris.from_fs_path(str(path)) or path.as_uri())


def register(server: AgentServer) -> None:
    def handler(kind: DocumentEventKind) -> Callable[..., object]:
        async def on_event(ls: AgentServer, params: object) -> None:
            text_document = getattr(params, "text_document", None)
            uri = getattr(text_document, "uri", "")
            version = getattr(text_document, "version", None)
            ls.documents.publish(DocumentEvent(kind, uri, version, params))
            await ls.documents.notify_waiters()

        return on_event

    server.feature(types.TEXT_DOCUMENT_DID_OPEN)(handler("open"))
    server.feature(types.TEXT_DOCUMENT_DID_CHANGE)(handler("change"))
    server.feature(types.TEXT_DOCUMENT_DID_CLOSE)(handler("close"))
    server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))(
        handler("save")
    )
