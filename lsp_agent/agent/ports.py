"""The engine's ports: what the outside world (the CLI or the LSP server) plugs into the engine.

- DocumentSource: where tools read text (the editor's unsaved buffers first, then disk).
- EditSink: where edits go (headless: an atomic write to disk; in the editor: a proposal the
  user approves as a WorkspaceEdit). An edit counts as applied only if the sink says so.
- CanUseTool: decides the "ask" cases of the permission rules (the server prompts the user;
  headless, ask means deny).
- SymbolIndex: the tree-sitter index the symbol tools read (optional).
- EventSink (events.py): receives the typed events of a run (a transcript, progress, a terminal).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from indexer.model import Symbol


class Cancelled(Exception):
    """Raised at a cancellation check point; the run stops and applies no partial tool result."""


class CancelToken:
    """Checked between stream chunks and tool calls. Cheap; safe to share between tasks."""

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self.reason = ""

    def cancel(self, reason: str = "cancelled") -> None:
        self.reason = reason
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled(self.reason)

    async def wait(self) -> None:
        await self._event.wait()


class DocumentSource(Protocol):
    def read_text(self, path: Path) -> str | None:
        """The text of `path` as the user sees it (an open buffer's unsaved text), or None to
        fall back to disk."""
        ...


@dataclass(frozen=True)
class EditProposal:
    """One file change an edit tool wants to make. `old_text` is what the tool computed the
    change against (None for a new file); `new_text` None means delete the file."""

    path: Path
    old_text: str | None
    new_text: str | None
    tool: str  # Write | Edit | MultiEdit | ...
    description: str  # short human summary, e.g. "Edit: replace 3 lines in foo.py"
    tool_use_id: str = ""


@dataclass(frozen=True)
class EditOutcome:
    applied: bool
    # What the file holds after the sink finished (may differ from new_text if the user edited
    # the proposal before accepting, or accepted only some hunks); None if unknown.
    final_text: str | None = None
    message: str = ""  # told to the model, e.g. "rejected by the user", "stale: buffer changed"
    # Told to the model after a successful edit, e.g. the diagnostics the editor now shows.
    note: str = ""
    # For the event stream: applied | partial | rejected | stale | unchanged ("": from
    # `applied`), and the sink's own id of the proposal, if it had one.
    status: str = ""
    ref: str | None = None
    # The text the edit was finally applied onto, when the sink knows it (the user may have typed
    # while it was reviewed); None: unknown. Change sets record it as the text before the edit.
    base_text: str | None = None


class EditSink(Protocol):
    # True when the sink shows each edit to the user before it lands (the editor's review),
    # outside the modes that accept edits at once: the permission gate then asks nothing for
    # edits, since asking twice only teaches users to click through.
    @property
    def reviews_edits(self) -> bool: ...

    async def apply(self, proposal: EditProposal) -> EditOutcome: ...


PermissionBehavior = Literal["allow", "deny"]


@dataclass(frozen=True)
class PermissionResult:
    behavior: PermissionBehavior
    updated_input: dict[str, Any] | None = None
    message: str = ""  # for deny: told to the model
    remember: bool = False  # allow for the rest of this session
    # Permission update entries to apply with an allow (a PermissionRequest hook's
    # `updatedPermissions`: `permissions/updates.py`).
    updates: tuple[Any, ...] = ()


CanUseTool = Callable[[str, dict[str, Any], str], Awaitable[PermissionResult]]
"""(tool_name, tool_input, reason) -> decision, for the cases the rules say "ask"."""


class SymbolIndex(Protocol):
    """The tree-sitter index as the symbol tools read it: `indexer.WorkspaceIndex`,
    `MultiRootIndex` (the server's folders and open buffers) or `OnDemandIndex` (the CLI's)."""

    def search(self, query: str, limit: int = 100) -> Sequence[Symbol]: ...
    def definitions(self, name: str) -> Sequence[Symbol]: ...
    def file_symbols(self, path: str) -> Sequence[Symbol]: ...
