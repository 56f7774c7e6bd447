"""The agent loop: run -> step -> query the model + execute its tool calls.

An `Agent` is one session. `run(prompt)` adds a user message and steps until the model ends its
turn or a limit stops it; each step is one model request and the tool calls it asked for.
Read-only tools of a turn run together; anything that changes state runs alone, in order.
Stopping conditions are the small exception classes below, turned into the result's subtype.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Sequence
from typing import Any

from lsp_agent.agent.client import ModelClient, race_cancel, with_cache_breakpoints
from lsp_agent.agent.errors import APIError
from lsp_agent.agent.options import AgentOptions, AgentResult
from lsp_agent.agent.permission_gate import PermissionGate
from lsp_agent.agent.ports import (
    AgentEvent,
    Cancelled,
    CancelToken,
    CanUseTool,
    DocumentSource,
    EditSink,
    EventKind,
    EventSink,
)
from lsp_agent.agent.pricing import add_usage, cost_usd
from lsp_agent.agent.prompt import system_blocks
from lsp_agent.agent.reporting import ReportingSink
from lsp_agent.agent.session import (
    Transcript,
    complete_turns,
    latest_session,
    new_session,
    resume_session,
)
from lsp_agent.agent.stream import MessageSnapshot
from lsp_agent.agent.tools.base import Tool, ToolContext, ToolResult

log = logging.getLogger(__name__)

MAX_TRUNCATED_RETRIES = 3
TRUNCATED_NOTE = (
    "Your last response hit the max_tokens limit while writing the input of a tool call, so "
    "that call was dropped. Retry with smaller pieces: split large file contents across "
    "several Write/Edit calls."
)


class StopRun(Exception):
    subtype = "error_during_execution"


class MaxTurnsReached(StopRun):
    subtype = "error_max_turns"


class BudgetExceeded(StopRun):
    subtype = "error_max_budget_usd"


class Agent:
    def __init__(
        self,
        options: AgentOptions,
        *,
        tools: Sequence[Tool],
        documents: DocumentSource,
        edits: EditSink,
        can_use_tool: CanUseTool | None = None,
        on_event: EventSink | None = None,
        client: ModelClient | None = None,
        gate: PermissionGate | None = None,
    ) -> None:
        self.options = options
        self.tools = {t.name: t for t in tools if t.name not in options.disallowed_tools}
        self.client = client or ModelClient()
        self.gate = gate or PermissionGate.from_options(options, can_use_tool)
        self._on_event = on_event
        self._ask_lock = asyncio.Lock()  # one question to the user at a time
        self.transcript, self.messages = self._open_session()
        self.session_id = self.transcript.session_id
        self.ctx = ToolContext(
            cwd=options.cwd,
            roots=[options.cwd, *options.add_dirs],
            documents=documents,
            edits=ReportingSink(edits, self.emit),
            cancel=CancelToken(),
            session_id=self.session_id,
        )
        self.usage: dict[str, int] = {}
        self.cost_usd = 0.0
        self.turns = 0
        self._system: list[dict[str, Any]] | None = None

    # -- run ------------------------------------------------------------------------------

    async def run(self, prompt: str, cancel: CancelToken | None = None) -> AgentResult:
        """One user prompt, answered to the end. Never raises for model, tool or limit
        failures: they come back as the result's subtype."""
        self.ctx.cancel = cancel or CancelToken()
        started = time.monotonic()
        self.turns = 0
        # A previous run stopped between a tool_use turn and its results (limit, cancel).
        self.messages = complete_turns(self.messages)
        self._append("user", [{"type": "text", "text": prompt}])
        self.emit("session", session_id=self.session_id, cwd=str(self.options.cwd))
        subtype, text = "success", ""
        try:
            async with asyncio.timeout(self.options.max_wall_seconds):
                text = await self._until_done()
        except StopRun as stop:
            subtype, text = stop.subtype, str(stop)
        except Cancelled as cancelled:
            subtype, text = "error_during_execution", f"cancelled: {cancelled}"
        except APIError as error:
            subtype, text = "error_during_execution", error.message
        except TimeoutError:
            wall = self.options.max_wall_seconds
            subtype, text = "error_during_execution", f"stopped: wall time limit of {wall} s"
        return self._finish(subtype, text, time.monotonic() - started)

    async def _until_done(self) -> str:
        truncations = 0
        while True:
            snapshot = await self.step()
            if snapshot.stop_reason == "pause_turn":
                continue
            if snapshot.truncated:
                truncations += 1
                if truncations > MAX_TRUNCATED_RETRIES:
                    raise StopRun("the model kept running out of tokens inside tool input")
                continue
            if snapshot.stop_reason != "tool_use":
                return snapshot.text

    async def step(self) -> MessageSnapshot:
        """One model request, then the tool calls it asked for."""
        max_turns = self.options.max_turns
        if max_turns is not None and self.turns >= max_turns:
            raise MaxTurnsReached(f"stopped: reached max_turns ({max_turns})")
        snapshot = await self.query()
        self.turns += 1
        self._account(snapshot)
        self._append("assistant", snapshot.content or [{"type": "text", "text": "(no content)"}])
        budget = self.options.max_budget_usd
        if budget is not None and self.cost_usd > budget:
            raise BudgetExceeded(f"stopped: cost ${self.cost_usd:.4f} passed the ${budget} budget")
        if snapshot.tool_uses or snapshot.truncated:
            results = await self.execute(snapshot.tool_uses)
            if snapshot.truncated:
                results.append({"type": "text", "text": TRUNCATED_NOTE})
            self._append("user", results)
        return snapshot

    # -- query ------------------------------------------------------------------------------

    async def query(self) -> MessageSnapshot:
        return await self.client.stream(
            self._request(),
            cancel=self.ctx.cancel,
            on_event=self._on_stream_event,
            on_retry=self._on_retry,
            fallback_model=self.options.fallback_model,
        )

    def _request(self) -> dict[str, Any]:
        options = self.options
        if self._system is None:
            self._system = system_blocks(
                options.cwd,
                options.add_dirs,
                replace=options.system_prompt,
                append=options.append_system_prompt,
                with_memory=options.load_memory,
            )
        request: dict[str, Any] = {
            "model": options.model,
            "max_tokens": options.max_tokens,
            "system": self._system,
            "messages": self.messages,
        }
        if self.tools:
            request["tools"] = [
                {"name": t.name, "description": t.description, "input_schema": t.input_schema}
                for t in self.tools.values()
            ]
        if options.thinking_budget:
            request["thinking"] = {"type": "enabled", "budget_tokens": options.thinking_budget}
        return with_cache_breakpoints(request)

    def _on_stream_event(self, event: dict[str, Any], snapshot: MessageSnapshot) -> None:
        if event["type"] != "content_block_delta":
            return
        delta = event["delta"]
        if delta.get("type") == "text_delta":
            self.emit("text", text=delta["text"])
        elif delta.get("type") == "thinking_delta":
            self.emit("thinking", text=delta["thinking"])

    def _on_retry(self, attempt: int, delay: float, error: APIError, model: str) -> None:
        self.emit("retry", attempt=attempt, delay=delay, error=error.message, model=model)

    # -- tools ------------------------------------------------------------------------------

    async def execute(self, calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Tool results in call order: runs of read-only calls together, the rest one by one."""
        results: list[dict[str, Any]] = []
        for batch in _batches(calls, self._is_read_only):
            self.ctx.cancel.check()
            if len(batch) > 1:
                results += await asyncio.gather(*(self._call(c) for c in batch))
            else:
                results.append(await self._call(batch[0]))
        return results

    def _is_read_only(self, call: dict[str, Any]) -> bool:
        tool = self.tools.get(call["name"])
        return tool is not None and tool.read_only

    async def _call(self, call: dict[str, Any]) -> dict[str, Any]:
        name, tool_input, tool_id = call["name"], call["input"], call["id"]
        self.emit("tool_use", id=tool_id, name=name, input=tool_input)
        tool = self.tools.get(name)
        if tool is None:
            result = ToolResult(f"Error: no tool named {name!r} is available", is_error=True)
        else:
            async with self._ask_lock:
                decision = await self.gate.decide(name, tool_input)
            self.emit("permission", tool=name, input=tool_input, decision=decision.behavior)
            if decision.behavior == "deny":
                result = ToolResult(decision.message, is_error=True)
            else:
                result = await self._run_tool(tool, decision.updated_input or tool_input, tool_id)
        content = result.content if result.content != "" else "(no output)"
        self.emit("tool_result", id=tool_id, content=content, is_error=result.is_error)
        block: dict[str, Any] = {"type": "tool_result", "tool_use_id": tool_id, "content": content}
        if result.is_error:
            block["is_error"] = True
        return block

    async def _run_tool(self, tool: Tool, tool_input: dict[str, Any], tool_id: str) -> ToolResult:
        ctx = dataclasses.replace(self.ctx, tool_use_id=tool_id)
        try:
            return await race_cancel(tool.run(tool_input, ctx), self.ctx.cancel)
        except Cancelled:
            raise
        except Exception as exc:  # a tool bug must reach the model as an error, not end the run
            log.exception("tool %s failed", tool.name)
            return ToolResult(f"{tool.name} failed: {type(exc).__name__}: {exc}", is_error=True)

    # -- bookkeeping ------------------------------------------------------------------------

    def emit(self, kind: EventKind, **data: Any) -> None:
        if self._on_event is None:
            return
        try:
            self._on_event(AgentEvent(kind, self.session_id, data))
        except Exception:  # a broken display must not stop the agent
            log.exception("event sink failed on %s", kind)

    def _append(self, role: str, content: list[dict[str, Any]]) -> None:
        # Consecutive messages of one role merge: a resumed prompt after tool results, or the
        # continuation of a paused turn, must keep the roles alternating.
        if self.messages and self.messages[-1]["role"] == role:
            merged = {"role": role, "content": [*self.messages[-1]["content"], *content]}
            self.messages[-1] = merged
        else:
            self.messages.append({"role": role, "content": content})
        self.transcript.message({"role": role, "content": content})

    def _account(self, snapshot: MessageSnapshot) -> None:
        add_usage(self.usage, snapshot.usage)
        self.cost_usd += cost_usd(snapshot.model or self.options.model, snapshot.usage)
        self.emit("usage", usage=dict(self.usage), cost_usd=self.cost_usd)

    def _finish(self, subtype: str, text: str, duration: float) -> AgentResult:
        result = AgentResult(
            subtype=subtype,
            result=text,
            session_id=self.session_id,
            turns=self.turns,
            usage=dict(self.usage),
            cost_usd=self.cost_usd,
            duration_s=duration,
        )
        self.transcript.write({"type": "result", **result.to_json()})
        self.emit("done", **result.to_json())
        return result

    def _open_session(self) -> tuple[Transcript, list[dict[str, Any]]]:
        options = self.options
        session_id = options.resume
        if session_id is None and options.continue_session:
            session_id = latest_session(options.cwd)
        if session_id is None:
            return new_session(options.cwd, options.model), []
        return resume_session(session_id)

    async def aclose(self) -> None:
        self.transcript.close()
        await self.client.aclose()


def _batches(calls: list[dict[str, Any]], read_only: Any) -> list[list[dict[str, Any]]]:
    batches: list[list[dict[str, Any]]] = []
    for call in calls:
        if batches and read_only(call) and read_only(batches[-1][0]):
            batches[-1].append(call)
        else:
            batches.append([call])
    return batches
