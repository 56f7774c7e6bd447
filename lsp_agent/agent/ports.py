"""The engine's ports: what the outside world (the CLI or the LSP server) plugs into the engine.

- DocumentSource: where tools read text (the editor's unsaved buffers first, then disk).
- EditSink: where edits go (headless: an atomic write to disk; in the editor: a proposal the
  user approves as a WorkspaceEdit). An edit counts as applied only if the sink says so.
- CanUseTool: decides the "ask" cases of the permission rules (the server prompts the user;
  headless, ask means deny).
- EventSink: receives AgentEvents as the run progresses (a transcript, progress, the terminal).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol


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


class EditSink(Protocol):
    async def apply(self, proposal: EditProposal) -> EditOutcome: ...


PermissionBehavior = Literal["allow", "deny"]


@dataclass(frozen=True)
class PermissionResult:
    behavior: PermissionBehavior
    updated_input: dict[str, Any] | None = None
    message: str = ""  # for deny: told to the model
    remember: bool = False  # allow for the rest of this session


CanUseTool = Callable[[str, dict[str, Any], str], Awaitable[PermissionResult]]
"""(tool_name, tool_input, reason) -> decision, for the cases the rules say "ask"."""


EventKind = Literal[
    "session",
    "text",
    "thinking",
    "tool_use",
    "tool_result",
    "proposal",
    "permission",
    "usage",
    "retry",
    "hook",
    "done",
    "error",
]


@dataclass
class AgentEvent:
    """One thing worth showing while a run goes on. `data` holds JSON-able fields per kind:
    text {text (the delta)}; tool_use {id, name, input}; tool_result {id, content, is_error};
    proposal {path, description, applied}; permission {tool, input, decision};
    done {subtype, result, turns, usage, cost_usd}; error {message}."""

    kind: EventKind
    session_id: str
    data: dict[str, Any] = field(default_factory=dict)


EventSink = Callable[[AgentEvent], None]
