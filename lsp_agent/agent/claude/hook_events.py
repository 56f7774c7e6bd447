"""The hook events the loop fires, in the loop's terms: `HookEvents`, a base of `Extensions`.

Around each tool call: PreToolUse (`pre_tool` -> `ToolGate`), PostToolUse/PostToolUseFailure
(`post_tool`), and PermissionRequest, Notification and PermissionDenied around the host's
question (`ask_with_notification`). Over the session's life: SessionStart (after
InstructionsLoaded), SessionEnd, Stop/SubagentStop, SubagentStart, StopFailure, PostToolBatch,
and FileChanged/ConfigChange at each checkpoint. Each returns a plain decision; messages for the
user go to `emit`, one per message.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsp_agent.agent.permissions.gate import headless_denial
from lsp_agent.agent.permissions.updates import suggestions
from lsp_agent.agent.ports import CanUseTool, PermissionResult
from lsp_agent.agent.tools.base import ToolResult

if TYPE_CHECKING:
    from lsp_agent.agent.claude.activations import Activations
    from lsp_agent.agent.claude.commands import CommandSet
    from lsp_agent.agent.claude.hook_watch import FileHooks
    from lsp_agent.agent.claude.hooks import HookOutcome, HookRunner
    from lsp_agent.agent.claude.invocation import Renderer
    from lsp_agent.agent.claude.settings_keys import ClaudeSettings
    from lsp_agent.agent.claude.skills import SkillSet

# Stop hooks that keep blocking cannot keep a run alive forever: Claude Code ends the turn
# after 8 consecutive blocks.
MAX_STOP_CONTINUATIONS = 8
# ("hook", {event, message}): a message for the user, from a hook or the user's setup.
Emit = Callable[[str, dict[str, Any]], None]
RETRY_NOTE = "A PermissionDenied hook says you may retry this tool call."


@dataclass
class ToolGate:
    """PreToolUse's verdict: `decision` None leaves it to the permission rules; "allow" skips
    the prompt (deny rules still apply); "ask" prompts even where rules allow; "deny" refuses."""

    decision: str | None
    reason: str
    tool_input: dict[str, Any]
    stop: bool = False


class HookEvents:
    # Set by Extensions.__init__ (claude/extensions.py).
    project: Path
    hooks: HookRunner
    commands: CommandSet
    skills: SkillSet
    settings: ClaudeSettings
    renderer: Renderer
    activations: Activations
    file_hooks: FileHooks
    emit: Emit
    halt: str  # why a hook stopped the current run
    subagent_type: str
    subagent_id: str

    # -- tools ------------------------------------------------------------------------------

    async def pre_tool(self, name: str, tool_input: dict[str, Any], tool_use_id: str) -> ToolGate:
        payload = {"tool_name": name, "tool_input": tool_input, "tool_use_id": tool_use_id}
        outcome = await self._hook("PreToolUse", payload, name)
        reason = outcome.permission_reason or outcome.reason
        if outcome.stop:
            reason = outcome.stop_reason or "a hook stopped the run"
            return ToolGate("deny", reason, tool_input, stop=True)
        new_input = outcome.updated_input if outcome.updated_input is not None else tool_input
        return ToolGate(outcome.permission_decision, reason, new_input)

    async def post_tool(
        self, name: str, tool_input: dict[str, Any], tool_use_id: str, result: ToolResult
    ) -> ToolResult:
        """The result the model sees: hook feedback (exit 2, decision block, additional
        context) is appended to it. A hook's `continue: false` sets `halt`: the loop ends the
        run once this turn's results are in."""
        event = "PostToolUseFailure" if result.is_error else "PostToolUse"
        payload: dict[str, Any] = {"tool_name": name, "tool_input": tool_input}
        payload["tool_use_id"] = tool_use_id
        payload["error" if result.is_error else "tool_response"] = result.content
        outcome = await self._hook(event, payload, name)
        if outcome.stop:
            self.halt = outcome.stop_reason or f"a {event} hook stopped the run"
        if outcome.updated_output is not None:  # PostToolUse's `updatedToolOutput`
            result = ToolResult(_as_result(outcome.updated_output), result.is_error)
        notes = [*([outcome.reason] if outcome.blocked else []), *outcome.additional_context]
        lines = [f"[{event} hook] {note}" for note in notes]
        lines += self.activations.offer(self.skills.for_model(), tool_input)
        if not lines:
            return result
        feedback = "\n".join(lines)
        if isinstance(result.content, str):
            return ToolResult(f"{result.content}\n\n{feedback}", result.is_error)
        return ToolResult([*result.content, {"type": "text", "text": feedback}], result.is_error)

    def ask_with_notification(self, can_use_tool: CanUseTool | None) -> CanUseTool | None:
        """The host's permission callback, with Notification hooks fired before each prompt.
        A call the running command's `allowed-tools` cover is allowed without asking (deny
        rules were checked before any question); headless, that is the only way to yes."""
        uses_rules = any(c.allowed_tools for c in self.commands.commands.values()) or any(
            s.allowed_tools for s in self.skills.skills.values()
        )
        asked_hooks = self.hooks.has("PermissionRequest") or self.hooks.has("PermissionDenied")
        if can_use_tool is None and not uses_rules and not asked_hooks:
            return None

        async def ask(name: str, tool_input: dict[str, Any], reason: str) -> PermissionResult:
            if self.activations.allows(name, tool_input):
                return PermissionResult("allow")
            # PermissionRequest hooks may answer for the user (allow or deny, new input).
            call = {"tool_name": name, "tool_input": tool_input}
            suggested = {**call, "permission_suggestions": suggestions(name, tool_input)}
            request = await self._hook("PermissionRequest", suggested, name)
            if request.stop:  # a deny with `interrupt: true` also stops the agent
                self.halt = request.stop_reason or "a PermissionRequest hook stopped the run"
            if request.permission_decision in ("allow", "deny"):
                return PermissionResult(
                    request.permission_decision,
                    updated_input=request.updated_input,
                    message=request.permission_reason or "denied by a PermissionRequest hook",
                    updates=tuple(request.permission_updates),
                )
            if can_use_tool is None:
                answer = PermissionResult("deny", message=headless_denial(name, reason))
            else:
                message = f"Claude needs your permission to use {name}"
                payload = {"message": message, "notification_type": "permission_prompt"}
                await self._hook("Notification", payload, "permission_prompt")
                answer = await can_use_tool(name, tool_input, reason)
            if answer.behavior != "allow":
                denied = await self._hook(
                    "PermissionDenied", {**call, "reason": answer.message}, name
                )
                if denied.retry:
                    message = f"{answer.message}\n{RETRY_NOTE}".strip()
                    answer = dataclasses.replace(answer, message=message)
            return answer

        return ask

    # -- lifecycle --------------------------------------------------------------------------

    async def stop(
        self, continuations: int, *, subagent: bool = False, last_message: str = ""
    ) -> str | None:
        """The text to continue with when a Stop (SubagentStop) hook blocks, else None.
        SubagentStop hooks match on the subagent's type, as SubagentStart's do."""
        event = "SubagentStop" if subagent else "Stop"
        payload: dict[str, Any] = {"stop_hook_active": continuations > 0}
        payload["last_assistant_message"] = last_message
        matcher = None
        if subagent and self.subagent_type:
            payload |= {"agent_id": self.subagent_id, "agent_type": self.subagent_type}
            matcher = self.subagent_type
        outcome = await self._hook(event, payload, matcher)
        if outcome.stop or continuations >= MAX_STOP_CONTINUATIONS:
            return None
        # A block's reason, or `additionalContext` (feedback, not an error): either keeps it going.
        notes = [*([outcome.reason] if outcome.blocked else []), *outcome.additional_context]
        return "\n\n".join(notes) if notes else None

    async def session_start(self, source: str, model: str = "", title: str = "") -> list[str]:
        """Context for the model from SessionStart hooks (source: startup | resume | clear |
        compact). InstructionsLoaded fires first, once per CLAUDE.md file the session loads.
        `title`: the session's name, if it has one (`session_title`, so that a hook naming
        sessions can leave a name the user chose)."""
        if self.hooks.has("InstructionsLoaded"):
            await self._instructions_loaded(compacted=source == "compact")
        self.file_hooks.start()
        payload = {"source": source, **({"model": model} if model else {})}
        if title:
            payload["session_title"] = title
        outcome = await self._hook("SessionStart", payload, source)
        if outcome.session_title and source in ("startup", "resume", "fork"):
            self.emit("title", {"title": outcome.session_title})  # as /rename does
        if outcome.initial_user_message:  # a headless run's first turn (`ask`)
            self.emit("initial_message", {"text": outcome.initial_user_message})
        if outcome.watch_paths is not None:
            self.file_hooks.watch_paths(outcome.watch_paths)
        if outcome.reload_skills:
            self._reload_skills()
        return outcome.additional_context

    def _reload_skills(self) -> None:
        """SessionStart's `reloadSkills`; Extensions, which loads skills and commands, does it."""
        raise NotImplementedError

    def _late_notes(self) -> list[str]:
        """What `async` hooks that finished since the last turn said for the model."""
        return self.hooks.take_background_notes()

    async def check_files(self) -> None:
        """FileChanged and ConfigChange hooks for what changed on disk since the last check
        (claude/hook_watch.py): before each prompt and after each batch of tool calls."""
        for event, payload, matcher in self.file_hooks.due():
            outcome = await self._hook(event, payload, matcher)
            if outcome.watch_paths is not None:
                self.file_hooks.watch_paths(outcome.watch_paths)

    async def _instructions_loaded(self, *, compacted: bool = False) -> None:
        from lsp_agent.agent.prompt.memory import load_memory

        home = Path.home().resolve()
        excludes = self.settings.claude_md_excludes
        for memory in load_memory(self.project, trusted=self.renderer.trusted, excludes=excludes):
            reason = "include" if memory.imported_from is not None else "session_start"
            reason = "compact" if compacted else reason  # read again after a compaction
            kind = "User" if memory.path.is_relative_to(home / ".claude") else "Project"
            if memory.path.name == "CLAUDE.local.md":
                kind = "Local"
            payload = {"file_path": str(memory.path), "memory_type": kind, "load_reason": reason}
            await self._hook("InstructionsLoaded", payload, reason)

    async def session_end(self, reason: str = "other") -> None:
        await self._hook("SessionEnd", {"reason": reason}, reason)
        self.hooks.env_file().unlink(missing_ok=True)  # SessionStart writes it again on resume

    async def post_tool_batch(
        self, calls: list[dict[str, Any]], results: Sequence[dict[str, Any]] = ()
    ) -> list[dict[str, Any]]:
        """PostToolBatch, once a turn's tool calls have all resolved: text blocks (hook context
        and block reasons) to send with the results. A block or `continue: false` also sets
        `halt`: the loop stops before the next model request (the reason stays in the
        conversation for when it goes on)."""
        await self.check_files()
        late = [{"type": "text", "text": f"[async hook] {n}"} for n in self._late_notes()]
        if not self.hooks.has("PostToolBatch"):
            return late
        sent = {r.get("tool_use_id"): r.get("content") for r in results}
        batch = [
            {
                "tool_name": c.get("name"),
                "tool_input": c.get("input"),
                "tool_use_id": c.get("id"),
                "tool_response": sent.get(c.get("id"), ""),
            }
            for c in calls
        ]
        outcome = await self._hook("PostToolBatch", {"tool_calls": batch})
        reason = outcome.reason if outcome.blocked else ""
        if outcome.stop or outcome.blocked:
            self.halt = outcome.stop_reason or reason or "a PostToolBatch hook stopped the run"
            if reason:
                self.emit("hook", {"event": "PostToolBatch", "message": reason})
        notes = [*([reason] if reason else []), *outcome.additional_context]
        return [*late, *({"type": "text", "text": f"[PostToolBatch hook] {n}"} for n in notes)]

    async def stop_failure(self, error: str, kind: str = "unknown") -> None:
        """StopFailure: the run ended on an API error (its output is not used). `kind` is
        Claude Code's error type (`failure_kind`), the matcher; `error` the text."""
        payload = {"error": kind, "error_details": error, "last_assistant_message": error}
        await self._hook("StopFailure", payload, kind)

    async def subagent_start(self, agent_type: str, agent_id: str) -> list[str]:
        """SubagentStart: context for the subagent from the hooks."""
        payload = {"agent_type": agent_type, "agent_id": agent_id}
        return (await self._hook("SubagentStart", payload, agent_type)).additional_context

    async def _hook(
        self, event: str, payload: dict[str, Any], matcher_value: str | None = None
    ) -> HookOutcome:
        self.hooks.on_status = lambda text: self.emit("hook", {"event": event, "message": text})
        outcome = await self.hooks.run(event, payload, matcher_value)
        messages = outcome.user_messages()
        if outcome.stop and outcome.stop_reason:
            messages.append(outcome.stop_reason)
        for message in messages:
            self.emit("hook", {"event": event, "message": message})
        return outcome


def _as_result(value: Any) -> str | list[dict[str, Any]]:
    """A hook's replacement tool output as tool_result content: text as is, content blocks as
    they are, anything else (a structured output) as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(b, dict) and "type" in b for b in value):
        return value
    return json.dumps(value)
