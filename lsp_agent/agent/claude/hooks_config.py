"""Hook configuration from Claude Code's settings files, and matcher semantics.

    {"hooks": {"PreToolUse": [{"matcher": "Edit|Write",
                               "hooks": [{"type": "command", "command": "...", "timeout": 60}]}]}}

Hooks from every settings file (managed, local, project, user) are merged: each event's matcher
groups are concatenated, highest precedence first. `"disableAllHooks": true` in any file turns
them all off. Hook types: `command` (a shell command, the event on stdin; with `args`, an
executable run without a shell, claude/hook_command.py), `http` (the event POSTed as JSON to
`url`; `headers` may use `$VAR` for the names in `allowedEnvVars`), `mcp_tool` (a tool of a
connected MCP server, claude/hook_mcp.py), `prompt` (a model judges the event,
claude/hook_prompt.py) and `agent` (a subagent with read-only tools judges it,
claude/hook_agent.py). Not every event takes every type (`ALLOWED_TYPES`, from Claude Code's
reference): a hook of a type its event does not support is reported and skipped. Common fields:
`timeout` (seconds; defaults as in `default_timeout`), `if` (one permission rule, e.g.
`Bash(git *)`: on tool events the hook runs only for calls it matches, on other events never),
`statusMessage` (shown to the user when the hook starts), `once` (once per session; skill and
command frontmatter only).

Every event name Claude Code has is accepted; those an editor agent never meets (`IGNORED`) are
configured without a message but never fire (docs/claude-code-compat.md lists them).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsp_agent.agent.claude.files import settings_files

DEFAULT_TIMEOUT_S = 600.0

EVENTS = (
    "PreToolUse",
    "PostToolUse",
    "PostToolUseFailure",
    "PostToolBatch",
    "UserPromptSubmit",
    "Stop",
    "StopFailure",
    "SubagentStart",
    "SubagentStop",
    "PreCompact",
    "PostCompact",
    "SessionStart",
    "SessionEnd",
    "Notification",
    "PermissionRequest",
    "PermissionDenied",
    "InstructionsLoaded",
    "ConfigChange",
    "FileChanged",
)
# Claude Code's other events: accepted, never fired here (no terminal UI, teammates, worktrees,
# elicitations, task list or `cd` tracking in lsp-agent).
IGNORED = (
    "Setup",
    "UserPromptExpansion",
    "MessageDisplay",
    "TaskCreated",
    "TaskCompleted",
    "TeammateIdle",
    "CwdChanged",
    "DirectoryAdded",
    "WorktreeCreate",
    "WorktreeRemove",
    "Elicitation",
    "ElicitationResult",
)
HOOK_TYPES = ("command", "http", "prompt", "agent", "mcp_tool")
PROMPT_TIMEOUT_S = 30.0
AGENT_TIMEOUT_S = 60.0
# SessionEnd must not hold up closing a session: 1.5 s unless a hook sets more, at most 60 s.
SESSION_END_BUDGET_S = 1.5
SESSION_END_MAX_S = 60.0
# Claude Code's reference: `prompt` and `agent` hooks only on these events; SessionStart (and
# Setup) take `command` and `mcp_tool` only; every other event takes command, http, mcp_tool.
JUDGED_EVENTS = frozenset(
    {
        "PermissionDenied",
        "PermissionRequest",
        "PostToolBatch",
        "PostToolUse",
        "PostToolUseFailure",
        "PreToolUse",
        "Stop",
        "SubagentStop",
        "TaskCompleted",
        "TaskCreated",
        "TeammateIdle",
        "UserPromptExpansion",
        "UserPromptSubmit",
    }
)
# Events where an `if` rule is evaluated; elsewhere a hook with `if` never runs.
TOOL_EVENTS = frozenset(
    {"PreToolUse", "PostToolUse", "PostToolUseFailure", "PermissionRequest", "PermissionDenied"}
)

# Matchers made only of these are exact names, listed with `|` or `,`; anything else is a regex.
_NAME_LIST = re.compile(r"[A-Za-z0-9_|, -]+")
_NARROW_NAME_LIST = re.compile(r"[A-Za-z0-9_|]+")  # FileChanged, StopFailure: `|` lists only
NARROW_MATCHER_EVENTS = frozenset({"FileChanged", "StopFailure"})


@dataclass(frozen=True)
class HookCommand:
    command: str
    timeout: float = DEFAULT_TIMEOUT_S
    source: str = ""  # the settings file it came from, for messages
    env: tuple[tuple[str, str], ...] = ()  # extra variables, e.g. a plugin's CLAUDE_PLUGIN_ROOT
    kind: str = "command"  # command | http (then `command` is the URL)
    headers: tuple[tuple[str, str], ...] = ()  # http
    allowed_env: tuple[str, ...] = ()  # http: the variables its headers may use
    condition: str = ""  # `if`: one permission rule the tool call must match
    status_message: str = ""
    once: bool = False
    args: tuple[str, ...] | None = None  # command: exec form (no shell) when set
    model: str = ""  # prompt, agent: a model id or alias; "" is the small fast model
    continue_on_block: bool = False  # prompt: `continueOnBlock`
    server: str = ""  # mcp_tool
    tool: str = ""  # mcp_tool
    tool_input: str = ""  # mcp_tool: its `input`, as JSON text (the dataclass stays hashable)
    background: bool = False  # command: `async`, runs without holding the agent up

    @property
    def identity(self) -> tuple[object, ...]:
        """What makes two configured hooks the same hook (run once when both match)."""
        return (self.kind, self.command, self.args, self.env, self.tool_input, self.model)


def allowed_types(event: str) -> tuple[str, ...]:
    if event in JUDGED_EVENTS:
        return HOOK_TYPES
    if event in ("SessionStart", "Setup"):
        return ("command", "mcp_tool")
    return ("command", "http", "mcp_tool")


def default_timeout(kind: str, event: str) -> float:
    """Claude Code's defaults: 600 s for command, http and mcp_tool (30 s on UserPromptSubmit,
    1.5 s on SessionEnd), 30 s for prompt, 60 s for agent."""
    if kind == "prompt":
        return PROMPT_TIMEOUT_S
    if kind == "agent":
        return AGENT_TIMEOUT_S
    if event == "SessionEnd":
        return SESSION_END_BUDGET_S
    return 30.0 if event == "UserPromptSubmit" else DEFAULT_TIMEOUT_S


@dataclass(frozen=True)
class HookGroup:
    matcher: str
    hooks: tuple[HookCommand, ...]


@dataclass
class HooksConfig:
    events: dict[str, list[HookGroup]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # reported to the user, never fatal
    disabled: bool = False  # `disableAllHooks`: plugins' hooks are off too
    once_allowed: bool = False  # `once` is honoured (skill and command frontmatter only)

    def commands(self, event: str, value: str | None) -> list[HookCommand]:
        """The hooks to run for `event` whose matcher accepts `value` (None: the event has no
        matcher, so every group applies), each distinct command once, in configuration order."""
        seen: set[tuple[object, ...]] = set()
        found = []
        for group in self.events.get(event, []):
            narrow = event in NARROW_MATCHER_EVENTS
            if value is not None and not matches(group.matcher, value, narrow=narrow):
                continue
            for hook in group.hooks:
                if hook.identity not in seen:
                    seen.add(hook.identity)
                    found.append(hook)
        return found


def matches(matcher: str, value: str, *, narrow: bool = False) -> bool:
    """Empty or `*` matches everything; names (letters, digits, `_`, `-`, spaces) listed with
    `|` or `,` match those exact names; anything else is a regular expression searched anywhere
    in the value (unanchored). `narrow` (FileChanged, StopFailure): only `|` lists of letters,
    digits and `_` are names."""
    matcher = matcher.strip()
    if matcher in ("", "*"):
        return True
    if (_NARROW_NAME_LIST if narrow else _NAME_LIST).fullmatch(matcher):
        return value in {name.strip() for name in re.split(r"[|,]", matcher)}
    try:
        return re.search(matcher, value) is not None
    except re.error:
        return False


def load_hooks(
    project: Path, extra: dict[str, Any] | None = None, *, trusted: bool = True
) -> HooksConfig:
    """Hooks of `project`'s settings files, plus `extra` (a settings-shaped dict, e.g. from the
    SDK's `hooks` option or the editor) first. An untrusted folder's own files add none."""
    sources: list[tuple[str, Any]] = []
    if extra is not None:
        sources.append(("options", extra))
    for found in settings_files(project):
        if found.from_project and not trusted:
            continue
        try:
            sources.append((str(found.path), json.loads(found.path.read_text(encoding="utf-8"))))
        except (OSError, ValueError) as exc:
            sources.append((str(found.path), exc))
    return parse_hooks(sources)


def parse_hooks(sources: Iterable[tuple[str, Any]], *, allow_once: bool = False) -> HooksConfig:
    """`allow_once`: honour `once`, which Claude Code documents for skill (and command)
    frontmatter only; in settings files it is ignored."""
    config = HooksConfig(once_allowed=allow_once)
    disabled = False
    for source, data in sources:
        if isinstance(data, Exception):
            config.problems.append(f"{source}: unreadable settings ({data}); its hooks ignored")
            continue
        if not isinstance(data, dict):
            continue
        disabled = disabled or data.get("disableAllHooks") is True
        hooks = data.get("hooks")
        if hooks is None:
            continue
        if not isinstance(hooks, dict):
            config.problems.append(f"{source}: 'hooks' must be an object")
            continue
        for event, groups in hooks.items():
            _add_event(config, source, event, groups)
    if disabled:
        config.events.clear()
        config.disabled = True
    return config


def _add_event(config: HooksConfig, source: str, event: str, groups: Any) -> None:
    if event in IGNORED:
        return
    if event not in EVENTS:
        config.problems.append(f"{source}: hook event {event!r} is not supported; ignored")
        return
    if not isinstance(groups, list):
        config.problems.append(f"{source}: hooks.{event} must be a list")
        return
    for group in groups:
        parsed = _group(config, source, event, group)
        if parsed is not None:
            config.events.setdefault(event, []).append(parsed)


def _group(config: HooksConfig, source: str, event: str, group: Any) -> HookGroup | None:
    if not isinstance(group, dict) or not isinstance(group.get("hooks"), list):
        config.problems.append(f"{source}: hooks.{event} entries need a 'hooks' list")
        return None
    matcher = group.get("matcher", "")
    if not isinstance(matcher, str):
        config.problems.append(f"{source}: hooks.{event} matcher must be a string")
        return None
    commands = []
    for hook in group["hooks"]:
        parsed = _hook(config, source, event, hook)
        if parsed is not None:
            commands.append(parsed)
    return HookGroup(matcher, tuple(commands)) if commands else None


def _hook(config: HooksConfig, source: str, event: str, hook: Any) -> HookCommand | None:
    kind = hook.get("type", "command") if isinstance(hook, dict) else hook
    if not isinstance(hook, dict) or kind not in HOOK_TYPES:
        config.problems.append(f"{source}: {event} hook of type {kind!r} is not supported")
        return None
    if kind not in allowed_types(event):
        takes = ", ".join(allowed_types(event))
        config.problems.append(
            f"{source}: {event} does not take {kind} hooks (only {takes}); this one is ignored"
        )
        return None
    key = {"command": "command", "http": "url", "prompt": "prompt", "agent": "prompt"}.get(
        kind, "tool"
    )
    target = hook.get(key)
    if not isinstance(target, str) or not target.strip():
        config.problems.append(f"{source}: {event} {kind} hook without a {key}")
        return None
    default = default_timeout(kind, event)
    timeout = hook.get("timeout", default)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        config.problems.append(f"{source}: {event} hook timeout {timeout!r}; using {default:g} s")
        timeout = default
    if event == "SessionEnd":
        timeout = min(timeout, SESSION_END_MAX_S)
    headers = hook.get("headers") or {}
    allowed = hook.get("allowedEnvVars") or []
    condition = hook.get("if") or ""
    if not isinstance(headers, dict) or not isinstance(allowed, list):
        config.problems.append(f"{source}: {event} hook headers/allowedEnvVars are malformed")
        return None
    extra = _kind_fields(config, source, event, kind, hook)
    if extra is None:
        return None
    parsed = HookCommand(
        target,
        float(timeout),
        source,
        kind=kind,
        headers=tuple((str(k), str(v)) for k, v in headers.items()),
        allowed_env=tuple(str(a) for a in allowed),
        condition=condition if isinstance(condition, str) else "",
        status_message=str(hook.get("statusMessage") or ""),
        once=hook.get("once") is True and config.once_allowed,
    )
    return dataclasses.replace(parsed, **extra)


def _kind_fields(
    config: HooksConfig, source: str, event: str, kind: str, hook: dict[str, Any]
) -> dict[str, Any] | None:
    """The fields only some types have (`args`; `model`, `continueOnBlock`; `server`, `input`),
    or None (reported) when they are malformed."""
    where = f"{source}: {event} {kind} hook"
    if kind == "command":
        # `asyncRewake` implies `async`; lsp-agent runs both in the background, without rewake.
        background = hook.get("async") is True or hook.get("asyncRewake") is True
        if "args" not in hook:
            return {"background": background}
        args = hook["args"]
        if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
            config.problems.append(f"{where}: 'args' must be a list of strings; ignored")
            return None
        return {"args": tuple(args), "background": background}
    if kind in ("prompt", "agent"):
        model = hook.get("model") or ""
        if not isinstance(model, str):
            config.problems.append(f"{where}: 'model' must be a string; using the fast model")
            model = ""
        return {"model": model.strip(), "continue_on_block": hook.get("continueOnBlock") is True}
    if kind == "mcp_tool":
        server, tool_input = hook.get("server"), hook.get("input", {})
        if not isinstance(server, str) or not server.strip():
            config.problems.append(f"{where} without a server; ignored")
            return None
        if not isinstance(tool_input, dict):
            config.problems.append(f"{where}: 'input' must be an object; ignored")
            return None
        text = json.dumps(tool_input, sort_keys=True)
        server, tool = server.strip(), hook["tool"].strip()
        label = f"{server}:{tool}"  # names the hook in messages
        return {"command": label, "server": server, "tool": tool, "tool_input": text}
    return {}
