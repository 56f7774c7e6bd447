"""What a run reports as it goes: a closed set of typed events.

Every front end translates each kind in one place (the server's `reporter.py`, the CLI's
output writer), with `assert_never` so a kind added here fails type checking until every
translator handles it. `data` is the JSON form without the session id, as `lsp-agent ask
--output-format stream-json` prints it and as tests read it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True, kw_only=True)
class _Event:
    kind: ClassVar[str]
    session_id: str
    # Set on the events of a subagent's run, forwarded through its parent's sink.
    parent_tool_use_id: str | None = None

    @property
    def data(self) -> dict[str, Any]:
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        del fields["session_id"]
        if fields["parent_tool_use_id"] is None:
            del fields["parent_tool_use_id"]
        return fields

    def to_json(self) -> dict[str, Any]:
        return {"type": self.kind, "session_id": self.session_id, **self.data}


@dataclass(frozen=True, kw_only=True)
class SessionStarted(_Event):
    """A run begins (each prompt of a session)."""

    kind: ClassVar[str] = "session"
    cwd: str


@dataclass(frozen=True, kw_only=True)
class TextDelta(_Event):
    kind: ClassVar[str] = "text"
    text: str


@dataclass(frozen=True, kw_only=True)
class ThinkingDelta(_Event):
    kind: ClassVar[str] = "thinking"
    text: str


@dataclass(frozen=True, kw_only=True)
class ToolStarted(_Event):
    kind: ClassVar[str] = "tool_use"
    id: str
    name: str
    input: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class ToolFinished(_Event):
    kind: ClassVar[str] = "tool_result"
    id: str
    content: str | list[dict[str, Any]]
    is_error: bool


@dataclass(frozen=True, kw_only=True)
class PermissionAsked(_Event):
    """The rules say ask: the host's `can_use_tool` is being consulted for this call."""

    kind: ClassVar[str] = "permission_request"
    tool_use_id: str
    tool: str
    input: dict[str, Any]
    reason: str


@dataclass(frozen=True, kw_only=True)
class PermissionDecided(_Event):
    """The outcome of a call that was asked about or refused. Calls the rules simply allow
    report nothing here: their `tool_use` event says it all."""

    kind: ClassVar[str] = "permission"
    tool_use_id: str
    tool: str
    input: dict[str, Any]
    decision: str  # allow | deny
    asked: bool  # whether the user (the host's can_use_tool) was asked
    reason: str  # why the rules asked ("" when nobody was asked)
    message: str  # why it was denied


@dataclass(frozen=True, kw_only=True)
class EditDecided(_Event):
    """An edit tool's proposal and what the edit sink made of it."""

    kind: ClassVar[str] = "proposal"
    path: str
    description: str
    tool_use_id: str
    applied: bool
    status: str  # applied | partial | rejected | stale | unchanged
    message: str
    ref: str | None  # the host's id of the proposal, if it had one


@dataclass(frozen=True, kw_only=True)
class UsageUpdated(_Event):
    kind: ClassVar[str] = "usage"
    usage: dict[str, int]  # the session's totals
    cost_usd: float


@dataclass(frozen=True, kw_only=True)
class Retrying(_Event):
    kind: ClassVar[str] = "retry"
    attempt: int
    delay: float
    error: str
    model: str


@dataclass(frozen=True, kw_only=True)
class HookMessage(_Event):
    """Something a hook (or loading the user's setup) says to the user."""

    kind: ClassVar[str] = "hook"
    event: str
    message: str


@dataclass(frozen=True, kw_only=True)
class SessionTitled(_Event):
    """The session was named (`/rename`, `--name`, a hook's `sessionTitle`)."""

    kind: ClassVar[str] = "session_title"
    title: str


@dataclass(frozen=True, kw_only=True)
class RunFailed(_Event):
    """The run broke outside the engine's own error handling (a bug, a host failure)."""

    kind: ClassVar[str] = "error"
    message: str


@dataclass(frozen=True, kw_only=True)
class RunDone(_Event):
    """The run's result, as `AgentResult.to_json()` has it."""

    kind: ClassVar[str] = "done"
    subtype: str
    result: str
    turns: int
    usage: dict[str, int]
    cost_usd: float
    duration_s: float
    is_error: bool

    @property
    def data(self) -> dict[str, Any]:
        return {**super().data, "session_id": self.session_id}


AgentEvent = (
    SessionStarted
    | TextDelta
    | ThinkingDelta
    | ToolStarted
    | ToolFinished
    | PermissionAsked
    | PermissionDecided
    | EditDecided
    | UsageUpdated
    | Retrying
    | HookMessage
    | SessionTitled
    | RunFailed
    | RunDone
)
EVENT_TYPES: tuple[type[_Event], ...] = AgentEvent.__args__
EVENT_KINDS = tuple(t.kind for t in EVENT_TYPES)

EventSink = Callable[[AgentEvent], None]
