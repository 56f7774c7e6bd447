"""One run's events, shown three ways: `lspAgent/stream` notifications for rich clients,
work-done progress for every client, and a transcript in `window/logMessage` for plain ones."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from lsp_agent.agent.ports import AgentEvent, CancelToken

if TYPE_CHECKING:
    from lsp_agent.server.app import AgentServer

logger = logging.getLogger(__name__)

STREAM = "lspAgent/stream"
MAX_RESULT_CHARS = 4000  # tool output in the stream; the model gets it whole
MAX_PROGRESS_CHARS = 120


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
        server: AgentServer,
        session_id: str,
        progress_token: str | None,
        cancel: CancelToken | None = None,
    ) -> None:
        self.server = server
        self.session_id = session_id
        self.progress_token = progress_token
        self.cancel = cancel
        self.text = ""  # the assistant's text in the current turn, for progress and the log

    def send(self, kind: str, **fields: Any) -> None:
        self.server.protocol.notify(STREAM, {"sessionId": self.session_id, "kind": kind, **fields})

    def progress(self, message: str) -> None:
        if self.progress_token is not None:
            self.server.work_done_progress.report(
                self.progress_token,
                types.WorkDoneProgressReport(message=_short(message, MAX_PROGRESS_CHARS)),
            )

    def log(self, message: str) -> None:
        self.server.window_log_message(
            types.LogMessageParams(type=types.MessageType.Log, message=message)
        )

    def __call__(self, event: AgentEvent) -> None:
        handler = getattr(self, f"_on_{event.kind}", None)
        if handler is not None:
            handler(event.data)

    def _flush_text(self) -> None:
        if self.text.strip():
            self.log(f"[{self.session_id[:8]}] Claude: {self.text.strip()}")
        self.text = ""

    def _on_text(self, data: dict[str, Any]) -> None:
        self.text += data["text"]
        self.send("text", text=data["text"])
        self.progress(self.text.strip().splitlines()[-1] if self.text.strip() else "thinking")

    def _on_tool_use(self, data: dict[str, Any]) -> None:
        self._flush_text()
        title = tool_title(data["name"], data.get("input") or {})
        self.send("tool_use", id=data["id"], name=data["name"], input=data["input"], title=title)
        self.progress(title)
        self.log(f"[{self.session_id[:8]}] tool: {title}")

    def _on_tool_result(self, data: dict[str, Any]) -> None:
        text = _content_text(data["content"])
        self.send(
            "tool_result",
            id=data["id"],
            content=text[:MAX_RESULT_CHARS],
            isError=bool(data.get("is_error")),
        )
        if data.get("is_error"):
            self.log(f"[{self.session_id[:8]}] tool error: {_short(text, 300)}")

    def _on_usage(self, data: dict[str, Any]) -> None:
        usage = data.get("usage", {})
        self.send(
            "usage",
            inputTokens=usage.get("input_tokens", 0)
            + usage.get("cache_read_input_tokens", 0)
            + usage.get("cache_creation_input_tokens", 0),
            outputTokens=usage.get("output_tokens", 0),
            costUsd=data.get("cost_usd", 0.0),
        )

    def _on_retry(self, data: dict[str, Any]) -> None:
        self.progress(f"retrying in {data['delay']:.0f} s: {data['error']}")

    def _on_hook(self, data: dict[str, Any]) -> None:
        message = str(data.get("message", ""))
        self.send("hook", event=data.get("event", ""), message=message)
        if message:
            self.server.window_show_message(
                types.ShowMessageParams(type=types.MessageType.Info, message=message)
            )

    def _on_error(self, data: dict[str, Any]) -> None:
        self.send("error", message=data.get("message", ""))

    def _on_done(self, data: dict[str, Any]) -> None:
        self._flush_text()
        cancelled = self.cancel is not None and self.cancel.cancelled
        subtype = "cancelled" if cancelled else data["subtype"]
        self.send(
            "done",
            subtype=subtype,
            result=data.get("result", ""),
            turns=data.get("turns", 0),
            usage=data.get("usage", {}),
            costUsd=data.get("cost_usd", 0.0),
        )
        self.log(f"[{self.session_id[:8]}] done: {subtype} after {data.get('turns', 0)} turn(s)")
