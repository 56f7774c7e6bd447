"""The test client as an editor: it keeps buffers, applies `workspace/applyEdit` (checking the
version like a real editor), sends the resulting `didChange`, answers prompts as told, and
collects `lspAgent/stream` events.

Edits are applied with pygls's own TextDocument, so position encoding is handled the way the
server's codec expects.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from lsprotocol import types
from pygls.workspace import TextDocument
from pytest_lsp import LanguageClient

EditBehaviour = Literal["apply", "reject", "pretend"]  # pretend: say applied, change nothing


@dataclass
class Editor:
    client: LanguageClient
    documents: dict[str, TextDocument] = field(default_factory=dict)
    stream: list[dict[str, Any]] = field(default_factory=list)
    applied_edits: list[types.ApplyWorkspaceEditParams] = field(default_factory=list)
    prompts: list[types.ShowMessageRequestParams] = field(default_factory=list)
    edit_behaviour: EditBehaviour = "apply"
    answer: Callable[[types.ShowMessageRequestParams], str | None] = lambda p: None
    after_apply: Callable[[str], None] = lambda uri: None  # e.g. publish fresh diagnostics
    # Never answer showMessageRequest nor applyEdit (as Vim's ALE does) until `release()`.
    silent: bool = False
    _released: asyncio.Event = field(default_factory=asyncio.Event)
    _events: asyncio.Condition = field(default_factory=asyncio.Condition)

    def __post_init__(self) -> None:
        client = self.client

        @client.feature(types.WORKSPACE_APPLY_EDIT)
        async def on_apply_edit(
            params: types.ApplyWorkspaceEditParams,
        ) -> types.ApplyWorkspaceEditResult:
            self.applied_edits.append(params)
            if self.silent:
                await self._released.wait()
                return types.ApplyWorkspaceEditResult(applied=False, failure_reason="late")
            return self._apply(params.edit)

        @client.feature(types.WINDOW_SHOW_MESSAGE_REQUEST)
        async def on_prompt(
            params: types.ShowMessageRequestParams,
        ) -> types.MessageActionItem | None:
            self.prompts.append(params)
            if self.silent:
                await self._released.wait()
                return None
            title = self.answer(params)
            return None if title is None else types.MessageActionItem(title=title)

        @client.feature("lspAgent/stream")
        async def on_stream(params: Any) -> None:
            self.stream.append(_plain(params))
            async with self._events:
                self._events.notify_all()

    def release(self) -> None:
        """Let the requests a silent editor held answer at last (before the test ends)."""
        self._released.set()

    # -- buffers -------------------------------------------------------------------------------

    def open(self, path: Path, text: str | None = None, language: str = "python") -> str:
        text = path.read_text() if text is None else text
        uri = path.as_uri()
        self.documents[uri] = TextDocument(uri, text, version=1, language_id=language)
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)
            )
        )
        return uri

    def forward_diagnostics(self, uri: str, messages: list[str]) -> None:
        """What a rich client does: send other servers' diagnostics for an open file."""
        at = {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}}
        diagnostics = [{"range": at, "message": m, "source": "lint"} for m in messages]
        self.client.protocol.notify(
            "lspAgent/diagnostics", {"uri": uri, "diagnostics": diagnostics}
        )

    def text(self, uri: str) -> str:
        return self.documents[uri].source

    def type(self, uri: str, new_text: str) -> None:
        """The user replaces the buffer's text (as one full change)."""
        document = self.documents[uri]
        change = types.TextDocumentContentChangeWholeDocument(text=new_text)
        document.apply_change(change)
        document.version = (document.version or 0) + 1
        self._send_change(document, [change])

    def _send_change(self, document: TextDocument, changes: list[Any]) -> None:
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=document.uri, version=document.version or 0
                ),
                content_changes=changes,
            )
        )

    def _apply(self, edit: types.WorkspaceEdit) -> types.ApplyWorkspaceEditResult:
        if self.edit_behaviour == "reject":
            return types.ApplyWorkspaceEditResult(applied=False, failure_reason="rejected")
        if self.edit_behaviour == "pretend":
            return types.ApplyWorkspaceEditResult(applied=True)
        for change in edit.document_changes or []:
            if isinstance(change, types.CreateFile):
                continue
            assert isinstance(change, types.TextDocumentEdit)
            document = self.documents.get(change.text_document.uri)
            if document is None:
                path = Path(change.text_document.uri.removeprefix("file://"))
                text = path.read_text() if path.exists() else ""
                document = TextDocument(change.text_document.uri, text, version=0)
                self.documents[document.uri] = document
            elif change.text_document.version != document.version:
                return types.ApplyWorkspaceEditResult(applied=False, failure_reason="stale version")
            events = [
                types.TextDocumentContentChangePartial(range=e.range, text=e.new_text)
                for e in sorted(
                    change.edits,
                    key=lambda e: (e.range.start.line, e.range.start.character),
                    reverse=True,
                )
            ]
            for event in events:
                document.apply_change(event)
            document.version = (document.version or 0) + 1
            if change.text_document.version is not None:
                self._send_change(document, events)
            self.after_apply(document.uri)
        return types.ApplyWorkspaceEditResult(applied=True)

    # -- waiting -------------------------------------------------------------------------------

    async def wait_for(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 30
    ) -> dict[str, Any]:
        """The first stream event matching `predicate` (looking at earlier ones first)."""

        async def find() -> dict[str, Any]:
            async with self._events:
                while True:
                    for event in self.stream:
                        if predicate(event):
                            return event
                    await self._events.wait()

        return await asyncio.wait_for(find(), timeout)

    async def done(self, session_id: str, timeout: float = 30, nth: int = 1) -> dict[str, Any]:
        """The session's `nth` `done` event (a resumed session has one per run)."""

        def is_done(event: dict[str, Any]) -> bool:
            return event["kind"] == "done" and event["sessionId"] == session_id

        await self.wait_for(lambda e: is_done(e) and sum(map(is_done, self.stream)) >= nth, timeout)
        return [e for e in self.stream if is_done(e)][nth - 1]

    def kinds(self, session_id: str) -> list[str]:
        return [e["kind"] for e in self.stream if e["sessionId"] == session_id]


def _plain(value: Any) -> Any:
    if hasattr(value, "_asdict"):
        return {k: _plain(v) for k, v in value._asdict().items()}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
