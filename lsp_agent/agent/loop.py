"""The agent loop: run -> step -> query the model + execute its tool calls.

An `Agent` is one session. `run(prompt)` adds a user message and steps until the model ends its
turn or a limit stops it; each step is one model request and the tool calls it asked for.
Read-only tools of a turn run together; anything that changes state runs alone, in order.
Stopping conditions are the small exception classes below, turned into the result's subtype.

Claude Code's extension points (slash commands, hooks, skills, subagents, MCP tools) come in
through an `Extensions` (`Extensions.none()` when the host has none); the loop calls it at the
moments its docstring names. Hosts build an Agent through `assembly.build_agent`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any

from lsp_agent import credentials
from lsp_agent.agent.claude.hooks import failure_kind
from lsp_agent.agent.events import (
    AgentEvent,
    EditDecided,
    EventSink,
    HookMessage,
    PermissionAsked,
    PermissionDecided,
    Retrying,
    RunDone,
    SessionStarted,
    SessionTitled,
    TextDelta,
    ThinkingDelta,
    ToolFinished,
    ToolStarted,
    UsageUpdated,
)
from lsp_agent.agent.model.client import ModelClient, race_cancel, with_cache_breakpoints
from lsp_agent.agent.model.errors import APIError
from lsp_agent.agent.model.names import ModelNames
from lsp_agent.agent.model.pricing import add_usage
from lsp_agent.agent.model.reducer import MessageSnapshot
from lsp_agent.agent.options import AgentOptions, AgentResult
from lsp_agent.agent.permissions.gate import PermissionGate
from lsp_agent.agent.ports import (
    Cancelled,
    CancelToken,
    CanUseTool,
    DocumentSource,
    EditSink,
    SymbolIndex,
)
from lsp_agent.agent.prompt import compaction
from lsp_agent.agent.prompt.system import INSTRUCTIONS, system_blocks
from lsp_agent.agent.reporting import ReportingSink
from lsp_agent.agent.tools import validate
from lsp_agent.agent.tools.background import BackgroundTasks
from lsp_agent.agent.tools.base import Tool, ToolContext, ToolResult
from lsp_agent.agent.tools.registry import api_tools
from lsp_agent.agent.tools.tool_search import ToolSearch
from lsp_agent.agent.transcript import (
    Transcript,
    complete_turns,
    custom_title,
    new_session,
    open_session,
    tasks_dir,
)

if TYPE_CHECKING:
    from lsp_agent.agent.claude.extensions import Extensions
    from lsp_agent.agent.claude.subagents import SubagentRequest, SubagentResult


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


class Refused(StopRun):
    subtype = "error_refusal"


class ContextWindowExceeded(StopRun):
    subtype = "error_context_window"


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
        extensions: Extensions | None = None,
        index: SymbolIndex | None = None,
        transcript: Transcript | None = None,
        redact: Callable[[str], str] | None = None,
    ) -> None:
        if extensions is None:
            from lsp_agent.agent.claude.extensions import Extensions

            extensions = Extensions.none(options.cwd)
        self.options = options
        # Known secrets' values out of tool results (and so the transcript, events, the model).
        self.redact = redact or (lambda text: text)
        self.ext: Extensions = extensions
        self.client = client or ModelClient()
        self._on_event = on_event
        can_use_tool = extensions.ask_with_notification(can_use_tool)
        self.gate = gate or PermissionGate.from_options(
            options, can_use_tool, edits_reviewed=edits.reviews_edits
        )
        self.gate.switch_mode = self.set_mode  # a hook's setMode: the whole session's mode
        # `!` lines obey the rules, `prompt` hooks ask the fast model, forked skills cancel.
        extensions.attach(self.gate.policy, self._side_query, lambda: self.ctx.cancel)
        extensions.hooks.fast_model = options.small_fast_model  # an agent hook's default model
        self._ask_lock = asyncio.Lock()  # one question to the user at a time
        self.transcript, self.messages = open_session(options, transcript)
        # A subagent's conversation lives in memory only; it gets no extension tools of its own.
        self.is_subagent = self.transcript.path is None
        self.ctx = ToolContext(
            cwd=options.cwd,
            roots=[options.cwd, *options.add_dirs],
            documents=documents,
            edits=ReportingSink(edits, self._report_edit),
            cancel=CancelToken(),
            session_id=self.session_id,
            index=index,
            # A subagent's are its parent's (subagent_run.py): they belong to the session.
            background=None if self.is_subagent else BackgroundTasks(tasks_dir(self.session_id)),
            ask_model=self._side_query,
            env_passthrough=tuple(options.env_passthrough),
            path_prefix=tuple(str(p) for p in extensions.bin_dirs()),
            extra_env=tuple(extensions.settings.env.items()),
        )
        self.tools = {t.name: t for t in [*tools, *self._extension_tools(can_use_tool)]}
        if not self.is_subagent:  # the `agent` setting may narrow the session's tools
            kept = set(extensions.main_tools(list(self.tools)))
            self.tools = {name: t for name, t in self.tools.items() if name in kept}
        if tools and not self.is_subagent:  # looks tools up in this session's own list
            self.tools.setdefault("ToolSearch", ToolSearch(self.tools))
        # Older names real models still call (Task for Agent): same tool, not shown twice.
        self._aliases = {a: t.name for t in self.tools.values() for a in getattr(t, "aliases", ())}
        for name in options.disallowed_tools:  # a bare name hides the tool from the model
            self.tools.pop(name, None)
        self.usage: dict[str, int] = {}
        self.cost_usd = 0.0
        self.turns = 0
        self._system: list[dict[str, Any]] | None = None
        self._last_usage: dict[str, int] = {}  # of the latest response: how full the window is
        self._started = False  # SessionStart hooks have run
        self._start_source = ""  # why the next SessionStart fires, when not startup/resume
        self._start_context: list[str] = []  # theirs, for the first prompt the model gets
        self._initial_due = True  # the `agent` setting's initialPrompt is still to be sent
        self._initial_message = ""  # SessionStart's `initialUserMessage`, for a headless run
        self._halt = ""  # set when a hook stops the run
        self._model_before_command: str | None = None
        self._running = False
        # The model's stop_reason of the latest response (end_turn, max_tokens, refusal, ...).
        self.stop_reason: str | None = None
        self.title = custom_title(self.session_id)  # the name the session was given, if any
        if options.name and options.name.strip() and not self.is_subagent:
            self.title = options.name.strip()
            self.transcript.rename(self.title)
        self._bind_hooks()

    @property
    def session_id(self) -> str:
        return self.transcript.session_id

    # -- run ------------------------------------------------------------------------------

    async def run(
        self,
        prompt: str,
        cancel: CancelToken | None = None,
        attachments: Sequence[dict[str, Any]] = (),
    ) -> AgentResult:
        """One user prompt, answered to the end. Never raises for model, tool or limit
        failures: they come back as the result's subtype. `attachments` are content blocks
        (images a client pasted) that go before the prompt's text in its message."""
        return await self._exclusive(self._run(prompt, cancel or CancelToken(), attachments))

    async def hear_ended_tasks(self, cancel: CancelToken | None = None) -> AgentResult:
        """A run whose user message is only the notices of background tasks that ended since
        the model last heard (no prompt, no UserPromptSubmit): how headless `ask` lets the
        model answer a background agent's report, as `claude -p` does."""
        return await self._exclusive(self._run("", cancel or CancelToken(), notices_only=True))

    async def _exclusive(self, run: Coroutine[Any, Any, AgentResult]) -> AgentResult:
        if self._running:  # one conversation cannot take two prompts at once
            run.close()
            raise RuntimeError(f"session {self.session_id} is already running")
        self._running = True
        try:
            return await run
        finally:
            self._running = False

    async def _run(
        self,
        prompt: str,
        cancel: CancelToken,
        attachments: Sequence[dict[str, Any]] = (),
        notices_only: bool = False,
    ) -> AgentResult:
        self.ctx.cancel = cancel
        started = time.monotonic()
        self.turns, self._halt = 0, ""
        # A previous run stopped between a tool_use turn and its results (limit, cancel).
        self.messages = complete_turns(self.messages)
        self.emit(SessionStarted(session_id=self.session_id, cwd=str(self.options.cwd)))
        subtype, text = "success", ""
        try:
            async with asyncio.timeout(self.options.max_wall_seconds):
                if notices_only:
                    blocks = self._task_notices()
                    if not blocks:
                        raise _Answered("error_during_execution", "no background task has ended")
                else:
                    blocks = await self._prompt_blocks(prompt, bool(attachments))
                self._append("user", [*attachments, *blocks])
                text = await self._until_done()
        except _Answered as answered:
            subtype, text = answered.subtype, answered.text
        except StopRun as stop:
            subtype, text = stop.subtype, str(stop)
        except Cancelled as cancelled:
            subtype, text = "error_during_execution", f"cancelled: {cancelled}"
            await self._stop_background()  # a cancelled session leaves nothing running
        except APIError as error:
            subtype, text = "error_during_execution", error.message
            await self.ext.stop_failure(error.message, failure_kind(error.status, error.error_type))
        except TimeoutError:
            wall = self.options.max_wall_seconds
            subtype, text = "error_during_execution", f"stopped: wall time limit of {wall} s"
        if self._model_before_command is not None:
            self.options.model, self._model_before_command = self._model_before_command, None
        return self._finish(subtype, text, time.monotonic() - started)

    @property
    def started(self) -> bool:
        """Whether this session's SessionStart hooks have run (SessionEnd pairs with them)."""
        return self._started

    async def start(self, source: str = "") -> None:
        """SessionStart, once per session: source startup or resume (from the history) unless
        given (`fork`) or set by `clear()`. The first prompt calls it before its slash command
        and UserPromptSubmit, which may rely on what the hooks set up (CLAUDE_ENV_FILE, skills
        they installed, the session's name); a front end whose sessions exist before their
        first prompt (ACP's session/new) calls it then. The hooks' context waits for the first
        prompt that goes to the model."""
        if self._started or self.is_subagent:
            return
        self._started = True
        source = source or self._start_source or ("resume" if self.messages else "startup")
        self._start_source = ""
        self._start_context += await self.ext.session_start(source, self.options.model, self.title)

    def take_initial_message(self) -> str:
        """SessionStart's `initialUserMessage`, once: Claude Code's `-p` runs it as the
        session's first turn, before the prompt (or alone, when no prompt was given). Only a
        headless front end asks; an editor's sessions leave it unused, as Claude Code's
        interactive sessions do."""
        message, self._initial_message = self._initial_message, ""
        return message

    async def _prompt_blocks(self, prompt: str, attached: bool = False) -> list[dict[str, Any]]:
        """The user message for `prompt`: slash commands expanded, hook context added. Raises
        _Answered when the prompt is answered without the model (built-ins, refusals)."""
        await self.start()
        first = self._initial_due and not self.messages and not self.is_subagent
        if first and not prompt.lstrip().startswith("/"):
            prompt, first, self._initial_due = self.ext.first_prompt(prompt), False, False
        plan = await self.ext.prompt(prompt)
        if plan.action == "builtin" and plan.builtin is not None:
            from lsp_agent.agent.claude.builtin_commands import run_builtin

            answer, is_error = await run_builtin(self, plan.builtin)
            raise _Answered("error_during_execution" if is_error else "success", answer)
        if plan.action != "send":
            raise _Answered("error_during_execution", plan.message)
        if plan.model:  # a command's model, for this prompt's run only
            self._model_before_command = self.options.model
            self.options.model = plan.model
        prompt, context = plan.text, list(plan.context)
        if first:  # the user's prompt was a command: the agent's initialPrompt goes before it
            prompt, self._initial_due = self.ext.first_prompt(prompt), False
        context += self._start_context  # SessionStart's, with the first prompt sent
        self._start_context = []
        blocks = [{"type": "text", "text": t} for t in [prompt, *context] if t.strip()]
        if not blocks and not attached:
            raise _Answered("error_during_execution", "the prompt is empty")
        return blocks + self._task_notices()  # tasks that ended between prompts

    async def _until_done(self) -> str:
        truncations = stops = 0
        while True:
            snapshot = await self.step()
            if snapshot.stop_reason == "pause_turn":
                continue
            if snapshot.truncated:
                truncations += 1
                if truncations > MAX_TRUNCATED_RETRIES:
                    raise StopRun("the model kept running out of tokens inside tool input")
                continue
            if snapshot.stop_reason == "tool_use":
                continue
            if snapshot.stop_reason == "refusal":
                raise Refused("the model declined to continue (stop_reason refusal)")
            if snapshot.stop_reason == "model_context_window_exceeded":
                raise ContextWindowExceeded(
                    "the conversation no longer fits the model's context window; "
                    "run /compact or start a new session"
                )
            again = await self._stop_hook(stops, snapshot.text)
            if again is None:
                return snapshot.text
            stops += 1
            self._append("user", [{"type": "text", "text": again}])

    async def step(self) -> MessageSnapshot:
        """One model request, then the tool calls it asked for."""
        max_turns = self.options.max_turns
        if max_turns is not None and self.turns >= max_turns:
            raise MaxTurnsReached(f"stopped: reached max_turns ({max_turns})")
        model = self.options.model
        window = self.client.context_window(model)  # a provider's or a setting's, else Claude's
        auto = self.ext.settings.auto_compact and bool(self._last_usage)  # autoCompactEnabled
        if auto and compaction.should_compact(self._last_usage, model, window=window):
            await self.compact("auto")
        snapshot = await self.query()
        self.turns += 1
        self.stop_reason = snapshot.stop_reason
        self._last_usage = dict(snapshot.usage)  # before the usage event: its readers see it
        self._account(snapshot)
        self._append("assistant", snapshot.content or [{"type": "text", "text": "(no content)"}])
        budget = self.options.max_budget_usd
        if budget is not None and self.cost_usd > budget:
            raise BudgetExceeded(f"stopped: cost ${self.cost_usd:.4f} passed the ${budget} budget")
        if snapshot.tool_uses or snapshot.truncated:
            results = await self.execute(snapshot.tool_uses)
            results += self._task_notices()
            if snapshot.truncated:
                results.append({"type": "text", "text": TRUNCATED_NOTE})
            self._append("user", results)
            halt = self._halt or self.ext.halt
            if halt:  # a hook said continue: false; the turn's results are in, now stop
                raise StopRun(halt)
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
                replace=options.system_prompt or self.ext.instructions(INSTRUCTIONS),
                append=options.append_system_prompt,
                with_memory=options.load_memory,
                trusted=options.project_trusted,
                memory_excludes=self.ext.settings.claude_md_excludes,
            )
            extra = self.ext.system_prompt()
            if extra:
                self._system.append({"type": "text", "text": extra})
        request: dict[str, Any] = {
            "model": options.model,
            "max_tokens": options.max_tokens,
            "system": self._system,
            "messages": self.messages,
        }
        if self.tools:
            request["tools"] = api_tools(self.tools.values())
        if options.thinking_budget:
            request["thinking"] = {"type": "enabled", "budget_tokens": options.thinking_budget}
        return with_cache_breakpoints(request)

    def _on_stream_event(self, event: dict[str, Any], snapshot: MessageSnapshot) -> None:
        if event["type"] != "content_block_delta":
            return
        delta = event["delta"]
        if delta.get("type") == "text_delta":
            self.emit(TextDelta(session_id=self.session_id, text=delta["text"]))
        elif delta.get("type") == "thinking_delta":
            self.emit(ThinkingDelta(session_id=self.session_id, text=delta["thinking"]))

    def _on_retry(self, attempt: int, delay: float, error: APIError, model: str) -> None:
        retry = Retrying(
            session_id=self.session_id,
            attempt=attempt,
            delay=delay,
            error=error.message,
            model=model,
        )
        self.emit(retry)

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
        return results + await self.ext.post_tool_batch(calls, results)

    def _tool(self, name: str) -> Tool | None:
        return self.tools.get(name) or self.tools.get(self._aliases.get(name, ""))

    def _is_read_only(self, call: dict[str, Any]) -> bool:
        tool = self._tool(call["name"])
        return tool is not None and tool.read_only

    async def _call(self, call: dict[str, Any]) -> dict[str, Any]:
        name, tool_input, tool_id = call["name"], call["input"], call["id"]
        self.emit(ToolStarted(session_id=self.session_id, id=tool_id, name=name, input=tool_input))
        tool = self._tool(name)
        refusal = self.ext.tool_refusal(name) or _nul_byte(name, tool_input)
        if tool is None:
            available = ", ".join(self.tools)
            message = f"Error: no tool named {name!r} is available. Available tools: {available}"
            result = ToolResult(message, is_error=True)
        elif refusal:
            result = ToolResult(refusal, is_error=True)
        elif invalid := validate.problem(tool.input_schema, tool_input):
            result = ToolResult(f"InputValidationError: {name}: {invalid}", is_error=True)
        else:
            result = await self._permitted_run(tool, name, tool_input, tool_id)
        content = _redacted(result.content, self.redact) if result.content != "" else "(no output)"
        self.emit(
            ToolFinished(
                session_id=self.session_id, id=tool_id, content=content, is_error=result.is_error
            )
        )
        block: dict[str, Any] = {"type": "tool_result", "tool_use_id": tool_id, "content": content}
        if result.is_error:
            block["is_error"] = True
        return block

    async def _permitted_run(
        self, tool: Tool, name: str, tool_input: dict[str, Any], tool_id: str
    ) -> ToolResult:
        """PreToolUse hooks, the permission decision, the tool, PostToolUse hooks. `name` is
        the name the model called (an alias such as Task, for hooks written for it)."""
        hook = await self.ext.pre_tool(name, tool_input, tool_id)
        tool_input = hook.tool_input
        if hook.stop:
            self._halt = hook.reason
        fields = {"session_id": self.session_id, "tool_use_id": tool_id, "tool": name}

        def on_ask(reason: str) -> None:
            self.emit(PermissionAsked(**fields, input=tool_input, reason=reason))

        async with self._ask_lock:  # a cancel must not wait for the user to answer
            decision = await race_cancel(
                self.gate.decide(name, tool_input, hook.decision, hook.reason, on_ask),
                self.ctx.cancel,
            )
        if decision.asked or decision.behavior == "deny":
            decided = PermissionDecided(
                **fields,
                input=tool_input,
                decision=decision.behavior,
                asked=decision.asked,
                reason=decision.reason,
                message=decision.message,
            )
            self.emit(decided)
        if decision.behavior == "deny":
            return ToolResult(decision.message, is_error=True)
        tool_input = decision.updated_input or tool_input
        result = await self._run_tool(tool, tool_input, tool_id)
        return await self.ext.post_tool(name, tool_input, tool_id, result)

    async def _run_tool(self, tool: Tool, tool_input: dict[str, Any], tool_id: str) -> ToolResult:
        ctx = dataclasses.replace(self.ctx, tool_use_id=tool_id)
        try:
            return await race_cancel(tool.run(tool_input, ctx), self.ctx.cancel)
        except Cancelled:
            raise
        except Exception as exc:  # a tool bug must reach the model as an error, not end the run
            log.exception("tool %s failed", tool.name)
            return ToolResult(f"{tool.name} failed: {type(exc).__name__}: {exc}", is_error=True)

    def _extension_tools(self, can_use_tool: CanUseTool | None) -> list[Tool]:
        if self.is_subagent:
            return []
        return self.ext.tools(
            run_subagent=self.run_subagent,
            ask=can_use_tool,
            get_mode=lambda: self.options.permission_mode,
            set_mode=self.set_mode,
        )

    async def run_subagent(self, request: SubagentRequest) -> SubagentResult:
        from lsp_agent.agent.claude.subagent_run import run_subagent

        return await run_subagent(self, request, spawn=Agent)

    # -- session ----------------------------------------------------------------------------

    def set_mode(self, mode: str) -> None:
        self.options.permission_mode = mode
        self.gate.set_mode(mode)

    def context_usage(self) -> tuple[int, int]:
        """(tokens the conversation fills now, the model's context window), for front ends that
        show how full the window is."""
        model = self.options.model
        window = self.client.context_window(model) or compaction.context_window(model)
        return compaction.context_tokens(self._last_usage), window

    async def compact(self, trigger: str = "auto", instructions: str = "") -> bool:
        """Replace the history with a model-written summary (the transcript keeps both). False:
        a PreCompact hook blocked it."""
        result = await compaction.compact(
            self.messages,
            query=self._summary,
            model=self.options.model,
            trigger=trigger,
            instructions=instructions,
            hooks=self.ext.hooks,
            pre_tokens=compaction.context_tokens(self._last_usage),
        )
        for message in result.user_messages:
            self._hook_message("PreCompact", message)
        if result.blocked:  # a PreCompact hook said no: the conversation stays as it is
            return False
        self.transcript.write(result.boundary)
        self.messages = []
        # SessionStart hooks with source "compact" (InstructionsLoaded first) add context.
        context = await self.ext.session_start("compact", self.options.model, self.title)
        extra = [{"type": "text", "text": t} for t in context if t.strip()]
        self._append("user", [*result.messages[0]["content"], *extra])
        self._system, self._last_usage = None, {}  # CLAUDE.md is read again
        return True

    async def _summary(self, request: dict[str, Any]) -> str:
        snapshot = await self.client.stream(request, cancel=self.ctx.cancel)
        self._account(snapshot)
        return snapshot.text

    async def _side_query(
        self, request: dict[str, Any], *, fast: bool = False, model: str | None = None
    ) -> MessageSnapshot:
        """A tool's own request to the model (WebFetch, WebSearch, a prompt hook), in this
        session's cost. `model` names one as a user would (alias or id)."""
        if model:
            model = ModelNames(self.options.model_aliases).resolve(model)
        else:
            model = self.options.small_fast_model if fast else self.options.model
        snapshot = await self.client.stream({**request, "model": model}, cancel=self.ctx.cancel)
        self._account(snapshot)
        return snapshot

    def clear(self) -> None:
        """Start a new conversation (a new session) with the same options and tools."""
        self.transcript.close()
        self.transcript = new_session(self.options.cwd, self.options.model)
        self.messages, self._system, self._last_usage = [], None, {}
        self.ctx.session_id = self.session_id
        self.ctx.reads.clear()
        self._started, self._start_source = False, "clear"  # SessionStart "clear" comes next
        self._start_context, self._initial_due = [], True
        self.title = ""
        self._bind_hooks()

    def _bind_hooks(self) -> None:
        """Hooks get the session's id, transcript and current mode in their input."""
        self.ext.bind_session(
            self.session_id,
            str(self.transcript.path),
            lambda: self.options.permission_mode,
            self._extension_message,
        )
        self.ctx.env_file = self.ext.hooks.env_file()  # what SessionStart hooks export

    def _task_notices(self) -> list[dict[str, Any]]:
        background = self.ctx.background
        return background.take_notices() if background is not None and not self.is_subagent else []

    async def _stop_background(self) -> None:
        if self.ctx.background is not None and not self.is_subagent:
            await self.ctx.background.stop_all()

    async def aclose(self) -> None:
        await self._stop_background()
        if self._started:
            await self.ext.session_end()
        self.transcript.close()
        await self.client.aclose()

    # -- bookkeeping ------------------------------------------------------------------------

    def emit(self, event: AgentEvent) -> None:
        if self._on_event is None:
            return
        try:
            self._on_event(event)
        except Exception:  # a broken display must not stop the agent
            log.exception("event sink failed on %s", event.kind)

    def _report_edit(self, event: EditDecided) -> None:
        self.emit(dataclasses.replace(event, session_id=self.session_id))

    def _hook_message(self, event: str, message: str) -> None:
        self.emit(HookMessage(session_id=self.session_id, event=event, message=message))

    def _extension_message(self, kind: str, data: dict[str, Any]) -> None:
        if kind == "title":  # a hook's `sessionTitle`
            self.rename(str(data.get("title", "")))
            return
        if kind == "initial_message":  # SessionStart's `initialUserMessage`
            self._initial_message = str(data.get("text", ""))
            return
        self._hook_message(str(data.get("event", kind)), str(data.get("message", "")))

    def rename(self, title: str) -> None:
        """Name the session (`/rename`, a hook's `sessionTitle`): kept in its transcript, shown
        by session lists, found by `--resume <name>`."""
        # A known secret's value never goes out (transcript, editor, session lists).
        title = credentials.redact(self.redact(" ".join(title.split())))
        if not title or self.is_subagent:
            return
        self.title = title
        self.transcript.rename(title)
        self.emit(SessionTitled(session_id=self.session_id, title=title))

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
        self.cost_usd += self.client.cost_usd(snapshot.model or self.options.model, snapshot.usage)
        usage = UsageUpdated(
            session_id=self.session_id, usage=dict(self.usage), cost_usd=self.cost_usd
        )
        self.emit(usage)

    async def _stop_hook(self, continuations: int, last_message: str = "") -> str | None:
        return await self.ext.stop(
            continuations, subagent=self.is_subagent, last_message=last_message
        )

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
        self.emit(RunDone(**result.to_json()))
        return result


class _Answered(Exception):
    """The prompt was answered without the model (a built-in command, a refusal)."""

    def __init__(self, subtype: str, text: str) -> None:
        super().__init__(text)
        self.subtype, self.text = subtype, text


def _nul_byte(name: str, value: Any, where: str = "input") -> str:
    """Why the input cannot be used when a string in it holds a NUL byte, which no path,
    command or argument can carry (the OS would raise deep inside a tool or the rules)."""
    if isinstance(value, str) and "\0" in value:
        return f"Error: {name}'s {where} contains a NUL byte, which no path or command can hold"
    children: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        children = [(f"{where}.{key}", item) for key, item in value.items()]
    elif isinstance(value, list):
        children = [(f"{where}[{i}]", item) for i, item in enumerate(value)]
    return next((found for w, item in children if (found := _nul_byte(name, item, w))), "")


def _redacted(content: str | list[dict[str, Any]], redact: Callable[[str], str]) -> Any:
    if isinstance(content, str):
        return redact(content)
    return [{**b, "text": redact(b["text"])} if b.get("type") == "text" else b for b in content]


def _batches(
    calls: list[dict[str, Any]], read_only: Callable[[dict[str, Any]], bool]
) -> list[list[dict[str, Any]]]:
    batches: list[list[dict[str, Any]]] = []
    for call in calls:
        if batches and read_only(call) and read_only(batches[-1][0]):
            batches[-1].append(call)
        else:
            batches.append([call])
    return batches
