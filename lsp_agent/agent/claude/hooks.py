"""Running Claude Code hooks: command hooks get the event as JSON on stdin, and their exit code
and output decide what happens next.

- Exit 0: success. Stdout starting with `{` is parsed as the JSON output below; other stdout
  becomes context for the model on UserPromptSubmit and SessionStart, and is ignored otherwise.
- Exit 2: blocking. Stderr is the reason: PreToolUse denies the call (the model sees why),
  PostToolUse(Failure) feeds it back to the model, UserPromptSubmit drops the prompt, Stop and
  SubagentStop make the agent continue. On other events it is only shown to the user.
- Any other exit code, or a hook still running at its timeout (its process group is killed):
  a non-blocking error shown to the user.

JSON output: `continue: false` (+ `stopReason`) ends the run; `systemMessage` is shown to the
user; `decision: "block"` + `reason` blocks as exit 2 does (PreToolUse also accepts the older
`approve`); `hookSpecificOutput` carries `permissionDecision` (allow | deny | ask),
`permissionDecisionReason`, `updatedInput` and `additionalContext`.

All matching hooks run in parallel, identical commands once. When they disagree, deny beats ask
beats allow; the updated input of the last hook (in configuration order) that gave one wins. A
hook's allow only skips the permission prompt: the loop still applies deny rules.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from lsp_agent import credentials
from lsp_agent.agent.claude.hook_http import post_hook
from lsp_agent.agent.claude.hook_prompt import AskModel, ask_hook
from lsp_agent.agent.claude.hooks_config import HookCommand, HooksConfig, load_hooks

log = logging.getLogger(__name__)

HookDecision = Literal["allow", "deny", "ask"]
_RANK: dict[str, int] = {"allow": 0, "ask": 1, "deny": 2}
# Events where exit 2 / decision "block" changes what the agent does.
BLOCKING_EVENTS = frozenset(
    {"PreToolUse", "PostToolUse", "PostToolUseFailure", "UserPromptSubmit", "Stop", "SubagentStop"}
)
# Events whose plain (non-JSON) stdout is added as context for the model.
PLAIN_CONTEXT_EVENTS = frozenset({"UserPromptSubmit", "SessionStart"})
# The events a hook's `if` (a permission rule) is evaluated on; on any other it never runs.
IF_EVENTS = frozenset(
    {"PreToolUse", "PostToolUse", "PostToolUseFailure", "PermissionRequest", "PermissionDenied"}
)
MAX_OUTPUT_CHARS = 10_000


@dataclass(frozen=True)
class HookResult:
    """What one hook process did."""

    command: str
    exit_code: int | None  # None: timed out or could not start
    stdout: str = ""
    stderr: str = ""
    timed_out: bool = False


@dataclass
class HookOutcome:
    """The hooks of one event, aggregated. An outcome with no hooks changes nothing."""

    blocked: bool = False
    reason: str = ""  # why it blocked: goes to the model (or the user for UserPromptSubmit)
    permission_decision: HookDecision | None = None  # PreToolUse
    permission_reason: str = ""
    updated_input: dict[str, Any] | None = None
    additional_context: list[str] = field(default_factory=list)
    system_messages: list[str] = field(default_factory=list)  # for the user
    errors: list[str] = field(default_factory=list)  # non-blocking failures, for the user
    stop: bool = False  # a hook said `continue: false`
    stop_reason: str = ""
    results: list[HookResult] = field(default_factory=list)

    @property
    def context_text(self) -> str:
        return "\n\n".join(self.additional_context)

    def user_messages(self) -> list[str]:
        return [*self.system_messages, *self.errors]


class HookRunner:
    """Runs the configured hooks of one session. `session_id`, `transcript_path` and
    `permission_mode` are plain attributes the loop keeps current."""

    def __init__(
        self,
        config: HooksConfig,
        *,
        project_dir: Path,
        session_id: str = "",
        transcript_path: str = "",
        permission_mode: str | Callable[[], str] = "default",
    ) -> None:
        self.config = config
        self.project_dir = project_dir
        self.session_id = session_id
        self.transcript_path = transcript_path
        self.permission_mode = permission_mode
        self.on_status: Callable[[str], None] = lambda message: None  # `statusMessage`
        self.extra_env: dict[str, str] = {}  # the settings' `env`
        self.ask_model: AskModel | None = None  # for `prompt` hooks, bound by the loop
        self._ran_once: set[tuple[str, HookCommand]] = set()  # `once` hooks that have run

    @classmethod
    def for_project(cls, project_dir: Path, **kwargs: Any) -> HookRunner:
        return cls(load_hooks(project_dir), project_dir=project_dir, **kwargs)

    def with_config(self, config: HooksConfig) -> HookRunner:
        """A runner over `config` with this one's session fields, environment, model and `once`
        record (a subagent's frontmatter hooks on top of the session's)."""
        runner = HookRunner(
            config,
            project_dir=self.project_dir,
            session_id=self.session_id,
            transcript_path=self.transcript_path,
            permission_mode=self.permission_mode,
        )
        runner.on_status = self.on_status
        runner.extra_env = self.extra_env
        runner.ask_model = self.ask_model
        runner._ran_once = self._ran_once
        return runner

    def forget_once(self) -> None:
        """A new session: `once` hooks may run again."""
        self._ran_once.clear()

    def has(self, event: str, matcher_value: str | None = None) -> bool:
        return bool(self.config.commands(event, matcher_value))

    async def run(
        self, event: str, payload: dict[str, Any], matcher_value: str | None = None
    ) -> HookOutcome:
        """Run `event`'s hooks matching `matcher_value` (a tool name for tool events, the source
        for SessionStart, the trigger for PreCompact; None for events without a matcher)."""
        hooks = [
            h
            for h in self.config.commands(event, matcher_value)
            if (event, h) not in self._ran_once and self._condition_holds(event, h, payload)
        ]
        if not hooks:
            return HookOutcome()
        self._ran_once |= {(event, h) for h in hooks if h.once}
        for hook in hooks:
            if hook.status_message:
                self.on_status(hook.status_message)
        stdin = json.dumps({**self._common(event), **payload}, default=str).encode()
        results = await asyncio.gather(*(self._run_one(h, stdin) for h in hooks))
        return aggregate(event, list(results))

    def _condition_holds(self, event: str, hook: HookCommand, payload: dict[str, Any]) -> bool:
        """`if`: on tool events, the call must match the rule; on other events a hook with an
        `if` never runs, as Claude Code documents."""
        if not hook.condition:
            return True
        tool, tool_input = payload.get("tool_name"), payload.get("tool_input")
        if event not in IF_EVENTS or not isinstance(tool, str) or not isinstance(tool_input, dict):
            return False
        from lsp_agent.agent.permissions.rules import PermissionPolicy, Rule

        try:
            rule = Rule.parse(hook.condition, "allow", hook.source, self.project_dir)
        except ValueError:
            return False  # a rule that cannot match anything
        policy = PermissionPolicy(rules=[rule], cwd=self.project_dir)
        return policy(tool, tool_input)[0] == "allow"

    def _common(self, event: str) -> dict[str, Any]:
        mode = self.permission_mode
        return {
            "session_id": self.session_id,
            "transcript_path": self.transcript_path,
            "cwd": str(self.project_dir),
            "permission_mode": mode() if callable(mode) else mode,
            "hook_event_name": event,
        }

    async def _run_one(self, hook: HookCommand, stdin: bytes) -> HookResult:
        if hook.kind == "prompt":
            try:
                async with asyncio.timeout(hook.timeout):
                    code, body, why = await ask_hook(hook.command, stdin.decode(), self.ask_model)
            except TimeoutError:
                return HookResult(hook.command, None, timed_out=True)
            return HookResult(hook.command, code, body, why)
        if hook.kind == "http":
            code, body, why, timed_out = await post_hook(hook, stdin)
            return HookResult(hook.command, code, body[:MAX_OUTPUT_CHARS], why, timed_out)
        env = {**credentials.scrubbed(os.environ), **self.extra_env}
        env["CLAUDE_PROJECT_DIR"] = str(self.project_dir)
        env.update(hook.env)
        try:
            process = await asyncio.create_subprocess_shell(
                hook.command,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                cwd=self.project_dir,
                env=env,
                start_new_session=True,  # its own process group, so a timeout kills children too
            )
        except OSError as exc:
            return HookResult(hook.command, None, stderr=f"could not start: {exc}")
        try:
            async with asyncio.timeout(hook.timeout):
                out, err = await process.communicate(stdin)
        except TimeoutError:
            _kill_group(process)
            await process.wait()
            return HookResult(hook.command, None, timed_out=True)
        except BaseException:
            _kill_group(process)
            raise
        return HookResult(hook.command, process.returncode, _text(out), _text(err))


def _kill_group(process: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def _text(data: bytes) -> str:
    text = data.decode("utf-8", errors="replace")
    return text if len(text) <= MAX_OUTPUT_CHARS else text[:MAX_OUTPUT_CHARS] + "\n[truncated]"


def aggregate(event: str, results: list[HookResult]) -> HookOutcome:
    """Fold the hooks' results (in configuration order) into one outcome."""
    outcome = HookOutcome(results=results)
    for result in results:
        _apply(outcome, event, result)
    return outcome


def _apply(outcome: HookOutcome, event: str, result: HookResult) -> None:
    name = result.command
    if result.timed_out:
        outcome.errors.append(f"{event} hook `{name}` timed out and was stopped")
    elif result.exit_code == 2:
        _block(outcome, event, result.stderr.strip() or f"blocked by hook `{name}`")
    elif result.exit_code != 0:
        detail = result.stderr.strip() or f"exit code {result.exit_code}"
        outcome.errors.append(f"{event} hook `{name}` failed: {detail}")
    elif result.stdout.lstrip().startswith("{"):
        try:
            data = json.loads(result.stdout)
        except ValueError as exc:
            outcome.errors.append(f"{event} hook `{name}` printed invalid JSON: {exc}")
            return
        if isinstance(data, dict):
            _apply_json(outcome, event, data)
    elif event in PLAIN_CONTEXT_EVENTS and result.stdout.strip():
        outcome.additional_context.append(result.stdout.strip())


def _block(outcome: HookOutcome, event: str, reason: str) -> None:
    if event not in BLOCKING_EVENTS:
        outcome.errors.append(f"{event} hook: {reason}")
        return
    outcome.blocked = True
    outcome.reason = f"{outcome.reason}\n{reason}".strip()
    if event == "PreToolUse":
        _decide(outcome, "deny", reason)


def _apply_json(outcome: HookOutcome, event: str, data: dict[str, Any]) -> None:
    if data.get("continue") is False:
        outcome.stop = True
        outcome.stop_reason = outcome.stop_reason or str(data.get("stopReason") or "")
    if isinstance(data.get("systemMessage"), str):
        outcome.system_messages.append(data["systemMessage"])
    decision, reason = data.get("decision"), str(data.get("reason") or "")
    if decision == "block":
        _block(outcome, event, reason or "blocked by a hook")
    elif decision == "approve" and event == "PreToolUse":
        _decide(outcome, "allow", reason)
    specific = data.get("hookSpecificOutput")
    if not isinstance(specific, dict):
        return
    permission = specific.get("permissionDecision")
    if event == "PreToolUse" and permission in _RANK:
        _decide(outcome, permission, str(specific.get("permissionDecisionReason") or ""))
    answer = specific.get("decision")  # PermissionRequest: {behavior, updatedInput, message}
    if event == "PermissionRequest" and isinstance(answer, dict):
        if answer.get("behavior") in ("allow", "deny"):
            _decide(outcome, answer["behavior"], str(answer.get("message") or ""))
        if isinstance(answer.get("updatedInput"), dict):
            outcome.updated_input = answer["updatedInput"]
    if isinstance(specific.get("updatedInput"), dict):
        outcome.updated_input = specific["updatedInput"]
    context = specific.get("additionalContext")
    if isinstance(context, str) and context.strip():
        outcome.additional_context.append(context.strip())


def _decide(outcome: HookOutcome, decision: HookDecision, reason: str) -> None:
    current = outcome.permission_decision
    if current is None or _RANK[decision] > _RANK[current]:
        outcome.permission_decision = decision
        outcome.permission_reason = reason
    elif decision == current and reason:
        outcome.permission_reason = f"{outcome.permission_reason}\n{reason}".strip()
