"""The engine's ports as an ACP client provides them.

Edits land through the client's `fs/write_text_file` when it offers one (the editor updates
its buffer and its undo history), else on disk as headless; either way the client is shown the
change as the tool call's diff first. Reads through the client are in `reads.py`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from lsp_agent.acp.reads import ClientDocuments
from lsp_agent.agent.disk import apply_to_disk
from lsp_agent.agent.ports import EditOutcome, EditProposal
from lsp_agent.agent.tools import textfile


class WriteClient(Protocol):
    async def write_text_file(
        self, content: str, path: str, session_id: str, **kwargs: Any
    ) -> Any: ...


class ClientEditSink:
    """Approved edits, shown as diffs and written by the client (or to disk)."""

    # The permission gate asks before each edit outside acceptEdits (request_permission
    # shows the diff); nothing is asked twice.
    reviews_edits = False

    def __init__(
        self,
        client: WriteClient | None,
        session_id: str,
        show_diff: Callable[[EditProposal], None],
        documents: ClientDocuments | None = None,
    ) -> None:
        self.client, self.session_id, self.show_diff = client, session_id, show_diff
        self.documents = documents  # the client's reads, when it offers them

    async def apply(self, proposal: EditProposal) -> EditOutcome:
        self.show_diff(proposal)
        if self.client is None or proposal.new_text is None:  # no client write, or a delete
            return await asyncio.to_thread(apply_to_disk, proposal)
        path = proposal.path.resolve()
        # The edit was computed against the client's text when reads go through it.
        seen = await self.documents.fetch(path) if self.documents is not None else None
        if seen is not None:
            stale = "" if seen == proposal.old_text else "stale: the buffer changed"
        else:
            stale = await asyncio.to_thread(_stale, path, proposal.old_text)
        if stale:
            return EditOutcome(applied=False, message=stale, status="stale")
        await self.client.write_text_file(
            content=proposal.new_text, path=str(path), session_id=self.session_id
        )
        return EditOutcome(applied=True, final_text=proposal.new_text)


def _stale(path: Path, old_text: str | None) -> str:
    """Why the file no longer holds what the edit was computed against ("" if it does)."""
    try:
        current: str | None = textfile.decode(path.read_bytes())[0]
    except FileNotFoundError:
        current = None
    except (OSError, textfile.BinaryFile) as exc:
        return f"cannot read {path}: {exc}"
    if current == old_text:
        return ""
    return "stale: the file was deleted" if current is None else "stale: the file changed"
