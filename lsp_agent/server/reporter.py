"""One run's events, shown three ways: `lspAgent/stream` notifications for rich clients,
work-done progress for every client, and a transcript in `window/logMessage` for plain ones.

`StreamReporter.__call__` is the server's one translator of engine events: every kind of
`agent.events.AgentEvent` has a case (checked by `assert_never`), and each becomes the stream
notification `docs/protocol.md` describes. The server's own parts (the edit sink's review
request, the permission prompt) send their protocol messages through `send` on the same
reporter.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, assert_never

from lsprotocol import types

from lsp_agent import credentials
from lsp_agent.agent import events as ev
from lsp_agent.agent.ports import CancelToken

logger = logging.getLogger(__name__)

STREAM = "lspAgent/stream"
MAX_RESULT_CHARS = 4000  # tool output in the stream; the model gets it whole
MAX_PROGRESS_CHARS = 120
PROGRESS_KEEP = 2 * MAX_PROGRESS_CHARS
# At most one text notification (and one progress report) per this many seconds: an editor
# shows no more than that, and at a model's top rate one per event-loop turn (every 4 ms) kept
# the pipe to the editor full, so its requests' answers waited behind stream messages
# (bench/busy_latency.py, "stream").
TEXT_INTERVAL_S = 0.02


@dataclass(frozen=True)
class EditorOutput:
    """What a reporter writes to: the server's notification, progress, log and message calls."""

    notify: Callable[[str, Any], None]
    report_progress: Callable[[str, types.WorkDoneProgressReport], None]
    log: Callable[[types.LogMessageParams], None]
    show: Callable[[types.ShowMessageParams], None]
    version_of: Callable[[str], int | None]  # an open document's version, by URI
    uri_of: Callable[[str], str]  # a path's URI, as the editor spells it


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def tool_title(name: str, tool_input: dict[str, Any]) -> str:
    """A one-line summary of a tool call, e.g. `Read src/app.py` or `Bash: pytest -q`."""
    for key in ("file_path", "path", "pattern", "command", "query", "description"):
        value = tool_input.get(key)
        if isinstance(value, str) and value:
            separator = ": " if key in ("command", "query", "description") else " "
            return _short(f"{name}{separator}{value}", MAX_PROGRESS_CHARS)
    return name


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    parts = [b.get("text", "") for b in content if isinstance(b, dict)]
    return "\n".join(p for p in parts if p) or json.dumps(content)[:MAX_RESULT_CHARS]


class StreamReporter:
    """The EventSink of one run."""

    def __init__(
        self,
        output: EditorOutput,
        session_id: str,
        progress_token: str | None,
        cancel: CancelToken | None = None,
        *,
        title: str = "",
        action: str = "",
        uri: str | None = None,
    ) -> None:
        self.output = output
        self.session_id = session_id
        self.progress_token = progress_token
        self.cancel = cancel
        self.title, self.action, self.uri = title, action, uri
        # The assistant's text of the current turn, flushed to the log at each tool call and at
        # the end. Kept as parts so that each delta costs its own length, never the whole text.
        self._text: list[str] = []
        self._line = ""  # the current line, up to PROGRESS_KEEP characters
        self._last_line = ""  # the last complete non-blank line
        # Text deltas not yet sent, by parent tool use: sent as one notification once the event
        # loop gets round to it (after the model chunk they came in), and TEXT_INTERVAL_S after
        # the previous one at the earliest. A slow stream still sends each delta at once; a fast
        # one sends one notification per interval instead of one per delta, so the editor's
        # requests are not queued behind thousands of messages.
        self._pending: list[str] = []
        self._pending_parent: dict[str, Any] | None = None  # None: no text since the last flush
        self._flush_handle: asyncio.Handle | None = None
        self._last_flush = float("-inf")  # time.monotonic() of the last text sent
        # The writer redacts each message; a secret split across deltas needs this, for the
        # answer and for the thinking alike (each its own stream, since they interleave).
        self._redactor = credentials.StreamRedactor()
        self._thinking = credentials.StreamRedactor()
        self._thinking_parent: dict[str, Any] | None = None  # None: no thinking held open

    # -- output ------------------------------------------------------------------------------

    def send(self, kind: str, **fields: Any) -> None:
        if kind != "thinking":
            self._end_thinking()  # what the thinking redactor holds back goes first
        if kind != "text" and (self._pending or self._pending_parent is not None):
            self.flush_text(final=True)  # keep the stream in order: text before what followed
        self.output.notify(STREAM, {"sessionId": self.session_id, "kind": kind, **fields})

    def progress(self, message: str) -> None:
        if self.progress_token is not None:
            report = types.WorkDoneProgressReport(message=_short(message, MAX_PROGRESS_CHARS))
            self.output.report_progress(self.progress_token, report)

    def log(self, message: str) -> None:
        self.output.log(types.LogMessageParams(type=types.MessageType.Log, message=message))

    def _tag(self) -> str:
        return f"[{self.session_id[:8]}]"

    # -- the translator ----------------------------------------------------------------------

    def __call__(self, event: ev.AgentEvent) -> None:
        parent = {"parentToolUseId": event.parent_tool_use_id} if event.parent_tool_use_id else {}
        match event:
            case ev.SessionStarted():
                self.send("session", title=self.title, action=self.action, uri=self.uri)
            case ev.TextDelta():
                self._on_text(event.text, parent)
            case ev.ThinkingDelta():
                self._on_thinking(event.text, parent)
            case ev.ToolStarted():
                self._flush_text()
                title = tool_title(event.name, event.input)
                self.send(
                    "tool_use",
                    id=event.id,
                    name=event.name,
                    input=event.input,
                    title=title,
                    **parent,
                )
                self.progress(title)
                self.log(f"{self._tag()} tool: {title}")
            case ev.ToolFinished():
                self._on_tool_result(event, parent)
            case ev.PermissionAsked():
                self.send(
                    "permission",
                    requestId=event.tool_use_id,
                    tool=event.tool,
                    input=event.input,
                    reason=event.reason,
                    decision=None,
                    **parent,
                )
            case ev.PermissionDecided():
                self.send(
                    "permission",
                    requestId=event.tool_use_id,
                    tool=event.tool,
                    input=event.input,
                    reason=event.reason or event.message,
                    decision=event.decision,
                    asked=event.asked,
                    **parent,
                )
                if event.decision == "deny":
                    self.log(f"{self._tag()} denied: {_short(event.message, 300)}")
            case ev.EditDecided():
                uri = self.output.uri_of(event.path)
                self.send(
                    "proposal",
                    proposalId=event.ref,
                    uri=uri,
                    version=self.output.version_of(uri),
                    description=event.description,
                    status=event.status,
                    applied=event.applied,
                    message=event.message,
                    toolUseId=event.tool_use_id,
                    **parent,
                )
            case ev.UsageUpdated():
                usage = event.usage
                self.send(
                    "usage",
                    inputTokens=usage.get("input_tokens", 0)
                    + usage.get("cache_read_input_tokens", 0)
                    + usage.get("cache_creation_input_tokens", 0),
                    outputTokens=usage.get("output_tokens", 0),
                    costUsd=event.cost_usd,
                )
            case ev.Retrying():
                self.send("retry", attempt=event.attempt, delay=event.delay, error=event.error)
                self.progress(f"retrying in {event.delay:.0f} s: {event.error}")
            case ev.HookMessage():
                self.send("hook", event=event.event, message=event.message, **parent)
                if event.message:
                    self.output.show(
                        types.ShowMessageParams(type=types.MessageType.Info, message=event.message)
                    )
            case ev.SessionTitled():
                self.send("session_title", title=event.title)
            case ev.RunFailed():
                self.send("error", message=event.message)
                self.log(f"{self._tag()} error: {event.message}")
            case ev.RunDone():
                self._on_done(event)
            case _:
                assert_never(event)

    def _on_text(self, text: str, parent: dict[str, Any]) -> None:
        self._text.append(text)
        if self._pending_parent is not None and parent != self._pending_parent:
            self.flush_text(final=True)
        self._pending.append(text)
        self._pending_parent = parent
        if self._flush_handle is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # no event loop (a synchronous caller): send it all now
                self.flush_text(final=True)
                return
            wait = self._last_flush + TEXT_INTERVAL_S - time.monotonic()
            self._flush_handle = (
                loop.call_later(wait, self.flush_text)
                if wait > 0
                else loop.call_soon(self.flush_text)
            )

    def _on_thinking(self, text: str, parent: dict[str, Any]) -> None:
        if self._thinking_parent is not None and parent != self._thinking_parent:
            self._end_thinking()
        self._thinking_parent = parent
        shown = self._thinking.feed(text)
        if shown:
            self.send("thinking", text=shown, **parent)
        self.progress("thinking")

    def _end_thinking(self) -> None:
        """The thinking stream ends where anything else is sent: what was held back goes."""
        if self._thinking_parent is None:
            return
        parent, self._thinking_parent = self._thinking_parent, None
        held = self._thinking.flush()
        if held:
            self.send("thinking", text=held, **parent)

    def flush_text(self, final: bool = False) -> None:
        """Send the pending text deltas as one notification, and progress once for them
        (`final`: the text ends here, so what the redactors hold back goes too, the thinking's
        included)."""
        if final:
            self._end_thinking()
        if self._flush_handle is not None:
            self._flush_handle.cancel()  # a no-op when this is that call
            self._flush_handle = None
        text = self._redactor.feed("".join(self._pending))
        self._pending = []
        parent = self._pending_parent or {}
        if final:
            text += self._redactor.flush()
            self._pending_parent = None
        if not text:
            return
        self._last_flush = time.monotonic()
        self.send("text", text=text, **parent)
        # Progress shows the latest non-blank line; only the new text is scanned, and a line is
        # kept no longer than progress can show, so each delta costs its own length.
        head, newline, tail = text.rpartition("\n")
        if newline:
            complete = [line for line in head.splitlines() if line.strip()]
            if complete or self._line.strip():
                self._last_line = (complete[-1] if complete else self._line)[:PROGRESS_KEEP]
            self._line = tail[:PROGRESS_KEEP]
        elif len(self._line) < PROGRESS_KEEP:
            self._line += text[:PROGRESS_KEEP]
        self.progress(self._line if self._line.strip() else self._last_line or "thinking")

    def _on_tool_result(self, event: ev.ToolFinished, parent: dict[str, Any]) -> None:
        text = _content_text(event.content)
        self.send(
            "tool_result",
            id=event.id,
            content=text[:MAX_RESULT_CHARS],
            isError=event.is_error,
            **parent,
        )
        if event.is_error:
            self.log(f"{self._tag()} tool error: {_short(text, 300)}")

    def _on_done(self, event: ev.RunDone) -> None:
        self._flush_text()
        cancelled = self.cancel is not None and self.cancel.cancelled
        subtype = "cancelled" if cancelled else event.subtype
        self.send(
            "done",
            subtype=subtype,
            result=event.result,
            turns=event.turns,
            usage=event.usage,
            costUsd=event.cost_usd,
        )
        self.log(f"{self._tag()} done: {subtype} after {event.turns} turn(s)")

    def _flush_text(self) -> None:
        self.flush_text(final=True)
        text = "".join(self._text).strip()
        self._text, self._line, self._last_line = [], "", ""
        if text:
            self.log(f"{self._tag()} Claude: {text}")
