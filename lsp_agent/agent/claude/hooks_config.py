"""Hook configuration from Claude Code's settings files, and matcher semantics.

    {"hooks": {"PreToolUse": [{"matcher": "Edit|Write",
                               "hooks": [{"type": "command", "command": "...", "timeout": 60}]}]}}

Hooks from every settings file (managed, local, project, user) are merged: each event's matcher
groups are concatenated, highest precedence first. `"disableAllHooks": true` in any file turns
them all off. Hook types: `command` (a shell command, the event on stdin), `http` (the event
POSTed as JSON to `url`; `headers` may use `$VAR` for the names in `allowedEnvVars`) and
`prompt` (the small fast model judges the event, claude/hook_prompt.py); other types (`agent`,
`mcp_tool`) are reported and skipped. Common fields: `timeout` (seconds),
`if` (one permission rule, e.g. `Bash(git *)`: on tool events the hook runs only for calls it
matches; on other events a hook with `if` never runs), `statusMessage` (shown to the user when
the hook starts), `once` (once per session; skill and command frontmatter only).

Every event name Claude Code has is accepted; those an editor agent never meets (`IGNORED`) are
configured without a message but never fire (docs/claude-code-compat.md lists them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsp_agent.agent.claude.files import settings_files

DEFAULT_TIMEOUT_S = 60.0

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
)
# Claude Code's other events: accepted, never fired here (no terminal UI, teammates, worktrees,
# elicitations, task list or config watcher in lsp-agent).
IGNORED = (
    "Setup",
    "UserPromptExpansion",
    "MessageDisplay",
    "TaskCreated",
    "TaskCompleted",
    "TeammateIdle",
    "ConfigChange",
    "CwdChanged",
    "DirectoryAdded",
    "FileChanged",
    "WorktreeCreate",
    "WorktreeRemove",
    "Elicitation",
    "ElicitationResult",
)
HOOK_TYPES = ("command", "http", "prompt")
PROMPT_TIMEOUT_S = 30.0

_NAME_LIST = re.compile(r"[A-Za-z0-9_|-]+")


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
        seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
        found = []
        for group in self.events.get(event, []):
            if value is not None and not matches(group.matcher, value):
                continue
            for hook in group.hooks:
                if (hook.command, hook.env) not in seen:
                    seen.add((hook.command, hook.env))
                    found.append(hook)
        return found


def matches(matcher: str, value: str) -> bool:
    """Empty or `*` matches everything; a plain `A|B` list matches those exact names; anything
    else is a regular expression searched anywhere in the value (unanchored)."""
    matcher = matcher.strip()
    if matcher in ("", "*"):
        return True
    if _NAME_LIST.fullmatch(matcher):
        return value in matcher.split("|")
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
    key = {"command": "command", "http": "url", "prompt": "prompt"}[kind]
    target = hook.get(key)
    if not isinstance(target, str) or not target.strip():
        config.problems.append(f"{source}: {event} {kind} hook without a {key}")
        return None
    default = PROMPT_TIMEOUT_S if kind == "prompt" else DEFAULT_TIMEOUT_S
    timeout = hook.get("timeout", default)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        config.problems.append(f"{source}: {event} hook timeout {timeout!r}; using {default:g} s")
        timeout = default
    headers = hook.get("headers") or {}
    allowed = hook.get("allowedEnvVars") or []
    condition = hook.get("if") or ""
    if not isinstance(headers, dict) or not isinstance(allowed, list):
        config.problems.append(f"{source}: {event} hook headers/allowedEnvVars are malformed")
        return None
    return HookCommand(
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
