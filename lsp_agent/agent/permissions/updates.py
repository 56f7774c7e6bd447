"""Permission update entries, as Claude Code's hooks exchange them (hooks.md, "Permission update
entries"): the `permission_suggestions` a PermissionRequest hook receives (what "always allow"
would do) and the `updatedPermissions` its `allow` may carry.

An entry changes the session's rules or mode and, with a `destination` other than `session`,
the settings file it names too (`localSettings`: .claude/settings.local.json, `projectSettings`:
.claude/settings.json, `userSettings`: ~/.claude/settings.json). Types: `addRules`,
`replaceRules`, `removeRules` (`rules`: [{toolName, ruleContent?}], `behavior`) and `setMode`.
`bypassPermissions` is never switched to from here (Claude Code too needs the session to have
been started able to bypass) nor written as a default. `addDirectories` and `removeDirectories`
are reported as not applied: the tools' workspace roots are fixed for a session.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from lsp_agent.agent.claude.files import user_claude_dir
from lsp_agent.agent.disk import atomic_write
from lsp_agent.agent.permissions.rules import BEHAVIORS, MODES, Behavior, PermissionPolicy, Rule
from lsp_agent.agent.tools import kinds

DESTINATIONS = ("session", "localSettings", "projectSettings", "userSettings")
RULE_TYPES = ("addRules", "replaceRules", "removeRules")


def suggestions(tool_name: str, tool_input: dict[str, Any]) -> list[dict[str, Any]]:
    """What the user's "yes, and don't ask again" would do for this call: an edit switches the
    session to acceptEdits; a command is allowed as written, another tool as a whole, in the
    project's local settings."""
    if kinds.is_edit(tool_name):
        return [{"type": "setMode", "mode": "acceptEdits", "destination": "session"}]
    rule: dict[str, Any] = {"toolName": tool_name}
    command = tool_input.get("command")
    if tool_name == "Bash" and isinstance(command, str) and command.strip():
        rule["ruleContent"] = command.strip()
    return [
        {"type": "addRules", "rules": [rule], "behavior": "allow", "destination": "localSettings"}
    ]


def apply(
    policy: PermissionPolicy,
    entries: list[Any],
    project: Path,
    set_mode: Callable[[str], None],
) -> list[str]:
    """Apply `entries` in order; what could not be applied, for the user."""
    problems: list[str] = []
    for entry in entries:
        try:
            _apply_one(policy, entry, project, set_mode)
        except ValueError as exc:
            problems.append(f"updatedPermissions: {exc}")
    return problems


def _apply_one(
    policy: PermissionPolicy, entry: Any, project: Path, set_mode: Callable[[str], None]
) -> None:
    if not isinstance(entry, dict):
        raise ValueError(f"an entry must be an object, not {entry!r}")
    kind, destination = entry.get("type"), entry.get("destination", "session")
    if destination not in DESTINATIONS:
        raise ValueError(f"unknown destination {destination!r} (one of {', '.join(DESTINATIONS)})")
    if kind in RULE_TYPES:
        behavior = entry.get("behavior")
        if behavior not in BEHAVIORS:
            raise ValueError(f"{kind}: behavior must be one of {', '.join(BEHAVIORS)}")
        texts = _rule_texts(entry.get("rules"), kind)
        for text in texts:
            Rule.parse(text, behavior)  # every rule is valid before any is applied
        _session_rules(policy, kind, behavior, texts, destination)
        if destination != "session":
            _edit_settings(_settings_path(destination, project), kind, behavior, texts)
    elif kind == "setMode":
        mode = entry.get("mode")
        mode = "default" if mode == "manual" else mode
        if mode not in MODES:
            raise ValueError(f"setMode: unknown mode {mode!r}")
        if mode == "bypassPermissions":
            raise ValueError("setMode: bypassPermissions cannot be switched to by a hook")
        set_mode(mode)
        if destination != "session":
            _edit_settings(_settings_path(destination, project), "setMode", mode, [])
    elif kind in ("addDirectories", "removeDirectories"):
        raise ValueError(f"{kind} is not applied: the workspace roots are fixed for a session")
    else:
        raise ValueError(f"unknown entry type {kind!r}")


def _rule_texts(rules: Any, kind: str) -> list[str]:
    if not isinstance(rules, list):
        raise ValueError(f"{kind}: `rules` must be a list")
    texts = []
    for rule in rules:
        tool = rule.get("toolName") if isinstance(rule, dict) else None
        if not isinstance(tool, str) or not tool:
            raise ValueError(f"{kind}: each rule needs a toolName, not {rule!r}")
        content = rule.get("ruleContent")
        texts.append(f"{tool}({content})" if isinstance(content, str) and content else tool)
    return texts


def _session_rules(
    policy: PermissionPolicy, kind: str, behavior: str, texts: list[str], destination: str
) -> None:
    source = "session" if destination == "session" else f"{destination} (a hook's update)"
    if kind == "replaceRules":  # the ones this destination added this session
        policy.rules = [
            r for r in policy.rules if not (r.behavior == behavior and r.source == source)
        ]
    if kind == "removeRules":
        policy.rules = [r for r in policy.rules if not (r.behavior == behavior and r.text in texts)]
        return
    for text in texts:
        policy.add_rule(text, cast(Behavior, behavior), source)


def _settings_path(destination: str, project: Path) -> Path:
    if destination == "userSettings":
        return user_claude_dir() / "settings.json"
    name = "settings.local.json" if destination == "localSettings" else "settings.json"
    return project / ".claude" / name


def _edit_settings(path: Path, kind: str, value: str, texts: list[str]) -> None:
    """Change `permissions` in the file at `path`, keeping everything else; a file that is not
    valid JSON is left alone (the change then holds for the session only)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} is not readable JSON ({exc}); not written") from exc
    if not isinstance(data, dict) or not isinstance(data.setdefault("permissions", {}), dict):
        raise ValueError(f"{path}: `permissions` is not an object; not written")
    permissions = data["permissions"]
    if kind == "setMode":
        permissions["defaultMode"] = value
    else:
        current = [t for t in permissions.get(value, []) if isinstance(t, str)]
        if kind == "replaceRules":
            current = []
        if kind == "removeRules":
            current = [t for t in current if t not in texts]
        else:
            current += [t for t in texts if t not in current]
        permissions[value] = current
    # As edits are written: the file's mode kept, no temp file left by a killed write.
    atomic_write(path, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
