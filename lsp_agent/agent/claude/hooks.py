"""Running Claude Code hooks: command hooks get the event as JSON on stdin, and their exit code
and output decide what happens next. The other types (http, mcp_tool, prompt, agent) are run by
their own modules and answer in the same shape: an exit code, stdout and stderr.

- Exit 0: success. Stdout starting with `{` is parsed as the JSON output below; other stdout
  becomes context for the model on UserPromptSubmit and SessionStart, and is ignored otherwise.
- Exit 2: blocking. Stderr is the reason: PreToolUse denies the call (the model sees why),
  PostToolUse(Failure) feeds it back to the model, UserPromptSubmit drops the prompt, Stop and
  SubagentStop make the agent continue. On other events it is only shown to the user.
- Any other exit code, or a hook still running at its timeout (its process group is killed):
  a non-blocking error shown to the user, unless stdout is a JSON object: then it decides.
  Exit 2 with JSON blocks too, the JSON's reason winning over stderr. Notification,
  PermissionDenied, InstructionsLoaded and StopFailure ignore exit codes; StopFailure ignores
  the output as well.

JSON output: `continue: false` (+ `stopReason`) ends the run; `systemMessage` is shown to the
user; `decision: "block"` + `reason` blocks as exit 2 does (PreToolUse also accepts the older
`approve`); `hookSpecificOutput` carries `permissionDecision` (allow | deny | ask),
`permissionDecisionReason`, `updatedInput`, `additionalContext`, PostToolUse's
`updatedToolOutput` (`updatedMCPToolOutput`) and PermissionDenied's `retry`.

All matching hooks run in parallel, identical commands once. When they disagree, deny beats ask
beats allow; the updated input of the last hook (in configuration order) that gave one wins. A
hook's allow only skips the permission prompt: the loop still applies deny rules.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from lsp_agent.agent.claude.hook_agent import RunAgent, ask_agent
from lsp_agent.agent.claude.hook_command import run_command
from lsp_agent.agent.claude.hook_http import post_hook
from lsp_agent.agent.claude.hook_mcp import call_mcp_hook
from lsp_agent.agent.claude.hook_prompt import AskModel, ask_hook
from lsp_agent.agent.claude.hooks_config import TOOL_EVENTS, HookCommand, HooksConfig, load_hooks

if TYPE_CHECKING:
    from lsp_agent.agent.claude.mcp_servers import McpServers

log = logging.getLogger(__name__)

HookDecision = Literal["allow", "deny", "ask"]
_RANK: dict[str, int] = {"allow": 0, "ask": 1, "deny": 2}
# Events where exit 2 / decision "block" changes what the agent does.
BLOCKING_EVENTS = frozenset(
    {
        "PreToolUse",
        "PostToolUse",
        "PostToolUseFailure",
        "PostToolBatch",
        "UserPromptSubmit",
        "Stop",
        "SubagentStop",
        "PreCompact",
        "ConfigChange",  # blocks silently: lsp-agent applies no settings change mid-session
    }
)
# Events whose hooks' exit codes mean nothing (Claude Code's per-event table), and the one whose
# output is not read at all either.
EXIT_IGNORED = frozenset({"Notification", "PermissionDenied", "InstructionsLoaded", "StopFailure"})
OUTPUT_IGNORED = frozenset({"StopFailure"})
ENV_FILE_EVENTS = frozenset({"SessionStart", "FileChanged"})
# Events whose plain (non-JSON) stdout is added as context for the model.
PLAIN_CONTEXT_EVENTS = frozenset({"UserPromptSubmit", "SessionStart"})
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
    permission_updates: list[Any] = field(default_factory=list)  # PermissionRequest's allow
    updated_output: Any = None  # PostToolUse: replaces what the model sees of the result
    retry: bool = False  # PermissionDenied: the model may try the call again
    watch_paths: list[str] | None = None  # SessionStart, FileChanged: files to watch now
    reload_skills: bool = False  # SessionStart: a hook installed skills or commands
    session_title: str = ""  # SessionStart, UserPromptSubmit: name the session (the last wins)
    initial_user_message: str = ""  # SessionStart: the first turn of a headless run (the last wins)
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
        self.run_agent: RunAgent | None = None  # for `agent` hooks, bound with the subagents
        self.fast_model = ""  # the small fast model's id, bound by the loop (agent hooks)
        self.mcp: McpServers | None = None  # for `mcp_tool` hooks: the session's servers
        self._ran_once: set[tuple[str, HookCommand]] = set()  # `once` hooks that have run
        self._background: set[asyncio.Task[HookResult]] = set()  # `async` hooks running
        self._background_notes: list[str] = []  # what finished ones said, for the next turn

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
        runner.run_agent, runner.fast_model, runner.mcp = self.run_agent, self.fast_model, self.mcp
        runner._ran_once = self._ran_once
        return runner

    def forget_once(self) -> None:
        """A new session: `once` hooks may run again."""
        self._ran_once.clear()

    def env_file(self, *, create: bool = False) -> Path:
        """The session's `CLAUDE_ENV_FILE` (its folder made when `create`: a hook may write)."""
        from lsp_agent.paths import data_dir

        path = data_dir() / "session-env" / f"{self.session_id or 'no-session'}.sh"
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        return path

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
            if (event, h) not in self._ran_once and self._condition_holds(h, event, payload)
        ]
        if not hooks:
            return HookOutcome()
        self._ran_once |= {(event, h) for h in hooks if h.once}
        for hook in hooks:
            if hook.status_message:
                self.on_status(hook.status_message)
        full = {**self._common(event), **payload}
        stdin = json.dumps(full, default=str).encode()
        for hook in (h for h in hooks if h.background):
            self._start_background(hook, event, full, stdin)
        waited = [h for h in hooks if not h.background]
        results = await asyncio.gather(*(self._run_one(h, event, full, stdin) for h in waited))
        return aggregate(event, list(results))

    def _start_background(
        self, hook: HookCommand, event: str, payload: dict[str, Any], stdin: bytes
    ) -> None:
        """An `async` hook: the agent goes on; what its JSON says for the model
        (`additionalContext`, `systemMessage`) comes with the next turn, nothing else counts."""
        task = asyncio.create_task(self._run_one(hook, event, payload, stdin))
        self._background.add(task)

        def done(task: asyncio.Task[HookResult]) -> None:
            self._background.discard(task)
            if task.cancelled() or task.exception() is not None:
                return
            outcome = aggregate(event, [task.result()])
            self._background_notes += [*outcome.additional_context, *outcome.system_messages]

        task.add_done_callback(done)

    def take_background_notes(self) -> list[str]:
        """What `async` hooks that finished since the last call said for the model."""
        notes, self._background_notes = self._background_notes, []
        return notes

    async def stop_background(self) -> None:
        """Stop the `async` hooks still running (their process groups are killed)."""
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)

    def _condition_holds(self, hook: HookCommand, event: str, payload: dict[str, Any]) -> bool:
        """`if`: on tool events, the call must match the rule; on other events a hook with an
        `if` never runs, as Claude Code documents."""
        if not hook.condition:
            return True
        tool, tool_input = payload.get("tool_name"), payload.get("tool_input")
        if event not in TOOL_EVENTS or not isinstance(tool, str):
            return False
        if not isinstance(tool_input, dict):
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

    async def _run_one(
        self, hook: HookCommand, event: str, payload: dict[str, Any], stdin: bytes
    ) -> HookResult:
        if hook.kind in ("prompt", "agent", "mcp_tool"):
            try:
                async with asyncio.timeout(hook.timeout):
                    code, body, why = await self._answer(hook, event, payload, stdin)
            except TimeoutError:
                return HookResult(hook.command, None, timed_out=True)
            except Exception as exc:  # the model's or the server's failure is the hook's own
                log.warning("%s hook %s failed", hook.kind, hook.command, exc_info=True)
                return HookResult(hook.command, 1, stderr=f"{type(exc).__name__}: {exc}")
            return HookResult(hook.command, code, _clip(body), why)
        if hook.kind == "http":
            code, body, why, timed_out = await post_hook(hook, stdin)
            return HookResult(hook.command, code, body[:MAX_OUTPUT_CHARS], why, timed_out)
        extra = dict(self.extra_env)
        if event in ENV_FILE_EVENTS:  # where Claude Code offers CLAUDE_ENV_FILE
            extra["CLAUDE_ENV_FILE"] = str(self.env_file(create=True))
        code, out, err, timed_out = await run_command(hook, stdin, self.project_dir, extra)
        return HookResult(hook.command, code, _text(out), _clip(err), timed_out)

    async def _answer(
        self, hook: HookCommand, event: str, payload: dict[str, Any], stdin: bytes
    ) -> tuple[int | None, str, str]:
        if hook.kind == "prompt":
            return await ask_hook(hook, event, stdin.decode(), self.ask_model)
        if hook.kind == "agent":
            return await ask_agent(hook, event, stdin.decode(), self.run_agent)
        return await call_mcp_hook(hook, payload, self.mcp)


def _text(data: bytes) -> str:
    return _clip(data.decode("utf-8", errors="replace"))


def _clip(text: str) -> str:
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
        return
    if event in OUTPUT_IGNORED:
        return
    data, problem = _json_output(result.stdout)
    if problem:
        outcome.errors.append(f"{event} hook `{name}` printed invalid JSON: {problem}")
    if result.exit_code == 2 and event not in EXIT_IGNORED:
        # Exit 2 blocks whatever the JSON says; a blocking JSON reason beats stderr.
        said = str(data.get("reason") or "") if data and data.get("decision") == "block" else ""
        _block(outcome, event, said or result.stderr.strip() or f"blocked by hook `{name}`")
        if data:
            _apply_json(outcome, event, {k: v for k, v in data.items() if k != "decision"})
    elif data is not None:
        _apply_json(outcome, event, data)  # on any exit code, a JSON object decides
    elif result.exit_code not in (0, 2) and event not in EXIT_IGNORED:
        detail = result.stderr.strip() or f"exit code {result.exit_code}"
        outcome.errors.append(f"{event} hook `{name}` failed: {detail}")
    elif result.exit_code == 0 and event in PLAIN_CONTEXT_EVENTS and result.stdout.strip():
        outcome.additional_context.append(result.stdout.strip())


def _json_output(stdout: str) -> tuple[dict[str, Any] | None, str]:
    """Stdout starting with `{` as a JSON object (else None), and why it did not parse."""
    if not stdout.lstrip().startswith("{"):
        return None, ""
    try:
        data = json.loads(stdout)
    except ValueError as exc:
        return None, str(exc)
    return (data, "") if isinstance(data, dict) else (None, "")


def _block(outcome: HookOutcome, event: str, reason: str) -> None:
    if event == "PermissionRequest":
        return  # only its `decision` object answers; exit 2's stderr is discarded
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
    _watch_paths(outcome, event, data)
    specific = data.get("hookSpecificOutput")
    if isinstance(specific, dict):
        _apply_specific(outcome, event, specific)


def _apply_specific(outcome: HookOutcome, event: str, specific: dict[str, Any]) -> None:
    """`hookSpecificOutput`: each event reads its own fields."""
    permission = specific.get("permissionDecision")
    if event == "PreToolUse" and permission in _RANK:
        _decide(outcome, permission, str(specific.get("permissionDecisionReason") or ""))
    answer = specific.get("decision")
    if event == "PermissionRequest" and isinstance(answer, dict):
        _answer_permission(outcome, answer)
    if isinstance(specific.get("updatedInput"), dict):
        outcome.updated_input = specific["updatedInput"]
    if event == "PostToolUse":
        for key in ("updatedToolOutput", "updatedMCPToolOutput"):
            if specific.get(key) is not None:
                outcome.updated_output = specific[key]
    if event == "PermissionDenied" and specific.get("retry") is True:
        outcome.retry = True
    _watch_paths(outcome, event, specific)
    if event == "SessionStart" and specific.get("reloadSkills") is True:
        outcome.reload_skills = True
    first = specific.get("initialUserMessage")
    if event == "SessionStart" and isinstance(first, str) and first.strip():
        outcome.initial_user_message = first
    title = specific.get("sessionTitle")
    if event in ("SessionStart", "UserPromptSubmit") and isinstance(title, str) and title.strip():
        outcome.session_title = title.strip()
    context = specific.get("additionalContext")
    if isinstance(context, str) and context.strip():
        outcome.additional_context.append(context.strip())


def _answer_permission(outcome: HookOutcome, answer: dict[str, Any]) -> None:
    """PermissionRequest's `decision`: {behavior, updatedInput, updatedPermissions, message,
    interrupt}."""
    if answer.get("behavior") in ("allow", "deny"):
        _decide(outcome, answer["behavior"], str(answer.get("message") or ""))
    updates = answer.get("updatedPermissions")
    if answer.get("behavior") == "allow" and isinstance(updates, list):
        outcome.permission_updates += updates
    if answer.get("behavior") == "deny" and answer.get("interrupt") is True:
        outcome.stop = True  # `interrupt`: the denial also stops the agent
        outcome.stop_reason = outcome.stop_reason or str(answer.get("message") or "")
    if isinstance(answer.get("updatedInput"), dict):
        outcome.updated_input = answer["updatedInput"]


def _decide(outcome: HookOutcome, decision: HookDecision, reason: str) -> None:
    current = outcome.permission_decision
    if current is None or _RANK[decision] > _RANK[current]:
        outcome.permission_decision = decision
        outcome.permission_reason = reason
    elif decision == current and reason:
        outcome.permission_reason = f"{outcome.permission_reason}\n{reason}".strip()


def _watch_paths(outcome: HookOutcome, event: str, data: dict[str, Any]) -> None:
    """`watchPaths` (SessionStart, FileChanged): a list of paths, the last hook's winning."""
    paths = data.get("watchPaths")
    if event in ("SessionStart", "FileChanged") and isinstance(paths, list):
        outcome.watch_paths = [str(p) for p in paths if isinstance(p, str)]


def failure_kind(status: int | None, error_type: str) -> str:
    """StopFailure's `error`: Claude Code's name for why a model request failed."""
    by_type = {
        "rate_limit_error": "rate_limit",
        "overloaded_error": "overloaded",
        "authentication_error": "authentication_failed",
        "billing_error": "billing_error",
        "invalid_request_error": "invalid_request",
        "not_found_error": "model_not_found",
    }
    by_status = {429: "rate_limit", 529: "overloaded", 401: "authentication_failed"}
    if error_type in by_type:
        return by_type[error_type]
    if status in by_status:
        return by_status[status]
    return "server_error" if status is not None and status >= 500 else "unknown"
