"""The ACP front end's one translator: engine events -> `session/update` payloads.

`Translator.__call__` has a case for every kind of `agent.events.AgentEvent` (checked by
`assert_never`) and returns the updates to send, in order; it keeps only what ACP needs across
events (each tool call's diff, so the final update carries it with the result). The edit sink
adds diffs through `diff`; the session sends everything through one queue, so the client sees
the updates in the order the run produced them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal, assert_never

from acp import schema

from lsp_agent import credentials
from lsp_agent.agent import events as ev

ToolKind = Literal["read", "edit", "delete", "move", "search", "execute", "think", "fetch", "other"]
Update = (
    schema.AgentMessageChunk
    | schema.AgentThoughtChunk
    | schema.UserMessageChunk
    | schema.ToolCallStart
    | schema.ToolCallProgress
    | schema.AgentPlanUpdate
    | schema.AvailableCommandsUpdate
    | schema.CurrentModeUpdate
    | schema.UsageUpdate
    | schema.SessionInfoUpdate
)

KINDS: dict[str, ToolKind] = {
    **dict.fromkeys(("Read", "LS", "FileOutline", "NotebookRead"), "read"),
    **dict.fromkeys(("Write", "Edit", "MultiEdit", "NotebookEdit"), "edit"),
    **dict.fromkeys(("Glob", "Grep", "SymbolSearch", "FindDefinition", "LSP"), "search"),
    **dict.fromkeys(("Bash", "BashOutput", "KillShell"), "execute"),
    **dict.fromkeys(("WebFetch", "WebSearch"), "fetch"),
    **dict.fromkeys(("TodoWrite", "ExitPlanMode", "Task", "Agent", "Skill"), "think"),
}
PATH_KEYS = ("file_path", "notebook_path", "path", "filePath")
MAX_RESULT_CHARS = 4000  # tool output shown to the user; the model gets it whole


def tool_kind(name: str) -> ToolKind:
    return KINDS.get(name, "other")


def tool_title(name: str, tool_input: dict[str, Any]) -> str:
    """A one-line summary, e.g. `Read src/app.py` or `Bash: pytest -q`."""
    for key in (*PATH_KEYS, "pattern", "command", "query", "url", "description"):
        value = tool_input.get(key)
        if isinstance(value, str) and value:
            text = " ".join(value.split())
            separator = " " if key in PATH_KEYS or key == "pattern" else ": "
            return f"{name}{separator}{text[:120]}"
    return name


def locations(tool_input: dict[str, Any]) -> list[schema.ToolCallLocation] | None:
    for key in PATH_KEYS:
        value = tool_input.get(key)
        if isinstance(value, str) and value:
            line = tool_input.get("offset", tool_input.get("line"))  # Read's, LSP's
            return [
                schema.ToolCallLocation(path=value, line=line if isinstance(line, int) else None)
            ]
    return None


def text_content(text: str) -> schema.ContentToolCallContent:
    return schema.ContentToolCallContent(
        type="content", content=schema.TextContentBlock(type="text", text=text)
    )


def diff_content(path: str, old_text: str | None, new_text: str) -> schema.FileEditToolCallContent:
    return schema.FileEditToolCallContent(
        type="diff", path=path, old_text=old_text, new_text=new_text
    )


def plan(todos: Any) -> schema.AgentPlanUpdate | None:
    """TodoWrite's list as a plan; None when the input is not a list of todos."""
    if not isinstance(todos, list):
        return None
    entries = [
        schema.PlanEntry(content=t["content"], status=t["status"], priority="medium")
        for t in todos
        if isinstance(t, dict)
        and isinstance(t.get("content"), str)
        and t.get("status") in ("pending", "in_progress", "completed")
    ]
    return schema.AgentPlanUpdate(session_update="plan", entries=entries)


def _message(text: str) -> schema.AgentMessageChunk:
    block = schema.TextContentBlock(type="text", text=text)
    return schema.AgentMessageChunk(session_update="agent_message_chunk", content=block)


def _thought(text: str) -> schema.AgentThoughtChunk:
    block = schema.TextContentBlock(type="text", text=text)
    return schema.AgentThoughtChunk(session_update="agent_thought_chunk", content=block)


def _some(chunk: Callable[[str], Update], text: str) -> list[Update]:
    return [chunk(text)] if text else []


def _result_text(content: str | list[dict[str, Any]]) -> str:
    if isinstance(content, str):
        text = content
    else:
        parts = [b.get("text", "") for b in content if isinstance(b, dict)]
        text = "\n".join(p for p in parts if p) or json.dumps(content)
    return text if len(text) <= MAX_RESULT_CHARS else text[:MAX_RESULT_CHARS] + "\n…"


class Translator:
    """The EventSink's logic for one session: each event -> the updates to send."""

    def __init__(self) -> None:
        # What the ports showed of a running tool call (diffs, terminals), kept so the final
        # update, which replaces the call's content, still carries it.
        self._shown: dict[str, list[Any]] = {}
        # The session's sender redacts each update; a secret split across deltas needs this,
        # in the answer and in the thoughts alike (each its own stream).
        self._redactor = credentials.StreamRedactor()
        self._thoughts = credentials.StreamRedactor()

    def diff(
        self, tool_use_id: str, path: str, old_text: str | None, new_text: str
    ) -> schema.ToolCallProgress:
        """An edit the sink is about to apply, shown as the tool call's diff."""
        return self._show(tool_use_id, diff_content(path, old_text, new_text))

    def terminal(self, tool_use_id: str, terminal_id: str) -> schema.ToolCallProgress:
        """The client terminal a command runs in, shown live by the client."""
        return self._show(
            tool_use_id, schema.TerminalToolCallContent(type="terminal", terminal_id=terminal_id)
        )

    def _show(self, tool_use_id: str, content: Any) -> schema.ToolCallProgress:
        shown = self._shown.setdefault(tool_use_id, [])
        shown.append(content)
        return schema.ToolCallProgress(
            session_update="tool_call_update", tool_call_id=tool_use_id, content=list(shown)
        )

    def __call__(self, event: ev.AgentEvent) -> list[Update]:
        # A subagent's prose would interleave with the answer; its tool calls are shown.
        nested = event.parent_tool_use_id is not None
        if isinstance(event, ev.TextDelta) and not nested:
            return self._thought_held() + _some(_message, self._redactor.feed(event.text))
        if isinstance(event, ev.ThinkingDelta) and not nested:
            held = _some(_message, self._redactor.flush())
            return held + _some(_thought, self._thoughts.feed(event.text))
        # Each stream ends where anything else happens: what its redactor held back goes.
        held = _some(_message, self._redactor.flush()) + self._thought_held()
        return held + self._translate(event, nested)

    def _thought_held(self) -> list[Update]:
        return _some(_thought, self._thoughts.flush())

    def _translate(self, event: ev.AgentEvent, nested: bool) -> list[Update]:
        match event:
            case ev.TextDelta() | ev.ThinkingDelta():
                return []  # the top level's are handled by __call__; a subagent's are not shown
            case ev.ToolStarted():
                return self._started(event)
            case ev.ToolFinished():
                return [self._finished(event)]
            case ev.Retrying():
                return [_thought(f"\n(retrying: {event.error})\n")]
            case ev.HookMessage():
                return [_message(f"\n{event.message}\n")] if event.message else []
            case ev.SessionTitled():
                return [
                    schema.SessionInfoUpdate(
                        session_update="session_info_update", title=event.title
                    )
                ]
            case ev.RunFailed():
                return [_message(f"\nError: {event.message}\n")]
            case ev.RunDone() if event.turns == 0 and event.result and not nested:
                # Answered without the model (a built-in command such as /cost or /rename, a
                # prompt a hook refused, a failed first request): the answer is only in the
                # result, which ACP's prompt response does not carry.
                return [_message(event.result)]
            # The permission request itself, the edit's diff (sent by the sink) and the result
            # (in the prompt's answer) need no update of their own; usage_update is the
            # session's (it needs the agent's context window).
            case (
                ev.SessionStarted()
                | ev.PermissionAsked()
                | ev.PermissionDecided()
                | ev.EditDecided()
                | ev.UsageUpdated()
                | ev.RunDone()
            ):
                return []
            case _:
                assert_never(event)

    def _started(self, event: ev.ToolStarted) -> list[Update]:
        start = schema.ToolCallStart(
            session_update="tool_call",
            tool_call_id=event.id,
            title=tool_title(event.name, event.input),
            kind=tool_kind(event.name),
            status="in_progress",
            locations=locations(event.input),
            raw_input=event.input,
        )
        todo = plan(event.input.get("todos")) if event.name == "TodoWrite" else None
        return [start, todo] if todo is not None else [start]

    def _finished(self, event: ev.ToolFinished) -> schema.ToolCallProgress:
        shown = self._shown.pop(event.id, [])
        content: list[Any] = [*shown, text_content(_result_text(event.content))]
        return schema.ToolCallProgress(
            session_update="tool_call_update",
            tool_call_id=event.id,
            status="failed" if event.is_error else "completed",
            content=content,
        )
