"""Permission rules and modes, as Claude Code evaluates them.

`PermissionPolicy.decide(tool, input)` says allow, ask or deny, with the reason and the rule.
Rules come from the settings files (managed, local, project, user; lists merge) plus rules given
in code (`--allowedTools`, the Agent SDK's allowed/disallowed tools). Evaluation: a matching
deny rule always wins; then the mode (plan denies what is not read-only; bypassPermissions
allows); then ask rules, allow rules, and the mode's default for the tool's kind. dontAsk turns
every remaining "ask" into "deny". The "ask" answer itself is the caller's to obtain
(`can_use_tool`); see permission_gate.py.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

import pathspec

from lsp_agent.agent.claude import files as claude_files
from lsp_agent.agent.permissions import confinement, shell
from lsp_agent.agent.tools import kinds
from lsp_agent.settings import PERMISSION_MODES

Behavior = Literal["allow", "ask", "deny"]
BEHAVIORS: tuple[Behavior, ...] = ("deny", "ask", "allow")
MODES = PERMISSION_MODES
_RULE = re.compile(r"^\s*([A-Za-z0-9_*-]+)\s*(?:\((.*)\))?\s*$", re.DOTALL)


@dataclass(frozen=True)
class Rule:
    text: str  # as written: "Bash(npm run test:*)"
    tool: str
    specifier: str | None  # None: the whole tool
    behavior: Behavior
    source: str = "programmatic"  # e.g. "project settings (/p/.claude/settings.json)"
    base: Path = field(default_factory=Path.cwd)  # where "/x" path rules are anchored

    @classmethod
    def parse(
        cls, text: str, behavior: Behavior, source: str = "programmatic", base: Path | None = None
    ) -> Rule:
        match = _RULE.match(text) if isinstance(text, str) else None
        if match is None:
            raise ValueError(f"not a permission rule: {text!r} (expected Tool or Tool(specifier))")
        specifier = match.group(2)
        if specifier is not None and specifier.strip() in ("", "*"):
            specifier = None
        return cls(text.strip(), match.group(1), specifier, behavior, source, base or Path.cwd())


@dataclass(frozen=True)
class RuleDecision:
    behavior: Behavior
    reason: str
    rule: Rule | None = None


@dataclass
class PermissionSettings:
    """What the settings files say about permissions, merged."""

    rules: list[Rule] = field(default_factory=list)
    default_mode: str | None = None
    additional_directories: list[Path] = field(default_factory=list)
    disable_bypass: bool = False
    warnings: list[str] = field(default_factory=list)


def load_settings(
    project: Path,
    files: Iterable[claude_files.SettingsFile] | None = None,
    *,
    trusted: bool = True,
) -> PermissionSettings:
    """Merge `permissions` from the settings files, highest precedence first. Broken files and
    rules are reported in `warnings` and skipped, never fatal. An untrusted folder's own files
    can only restrict: their deny and ask rules count, their allow rules, `defaultMode` and
    `additionalDirectories` do not."""
    merged = PermissionSettings()
    for entry in claude_files.settings_files(project) if files is None else files:
        try:
            data = json.loads(entry.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            merged.warnings.append(f"{entry.path}: cannot read settings: {exc}")
            continue
        perms = data.get("permissions", {}) if isinstance(data, dict) else None
        if not isinstance(perms, dict):
            merged.warnings.append(f"{entry.path}: `permissions` must be an object")
            continue
        if entry.from_project and not trusted:
            perms = {k: v for k, v in perms.items() if k in RESTRICTING}
        _merge(merged, perms, f"{entry.scope} settings ({entry.path})", project)
    return merged


# The `permissions` keys that can only take rights away.
RESTRICTING = ("deny", "ask", "disableBypassPermissionsMode")


def _merge(merged: PermissionSettings, perms: dict[str, Any], source: str, project: Path) -> None:
    for behavior in BEHAVIORS:
        texts = perms.get(behavior, [])
        if not isinstance(texts, list):
            merged.warnings.append(f"{source}: permissions.{behavior} must be a list")
            continue
        for text in texts:
            try:
                merged.rules.append(Rule.parse(text, behavior, source, project))
            except ValueError as exc:
                merged.warnings.append(f"{source}: {exc}")
    mode = perms.get("defaultMode")
    mode = "default" if mode == "manual" else mode  # Claude Code's other name for default
    if mode is not None and merged.default_mode is None:
        if mode in MODES:
            merged.default_mode = mode
        else:
            merged.warnings.append(f"{source}: unknown defaultMode {mode!r}")
    for directory in perms.get("additionalDirectories", []) or []:
        path = Path(os.path.expanduser(str(directory)))
        merged.additional_directories.append((project / path).resolve())
    if perms.get("disableBypassPermissionsMode") == "disable":
        merged.disable_bypass = True


class PermissionPolicy:
    """Decides allow/ask/deny for one tool call. Callable as `policy(name, input)` ->
    (behavior, reason), the shape the loop's PermissionGate takes."""

    def __init__(
        self,
        mode: str = "default",
        rules: Iterable[Rule] = (),
        *,
        cwd: Path,
        roots: Sequence[Path] | None = None,
        warnings: Iterable[str] = (),
    ) -> None:
        self.cwd = cwd.resolve()
        self.roots = [r.resolve() for r in roots] if roots else [self.cwd]
        self.rules = list(rules)
        self.warnings = list(warnings)
        self.mode = "default"
        self.set_mode(mode)
        # `disableBypassPermissionsMode`: nothing may switch to bypassPermissions later either.
        self.bypass_disabled = False

    @classmethod
    def from_settings(
        cls,
        project: Path,
        *,
        mode: str | None = None,
        cwd: Path | None = None,
        roots: Sequence[Path] = (),
        allow: Iterable[str] = (),
        ask: Iterable[str] = (),
        deny: Iterable[str] = (),
        files: Iterable[claude_files.SettingsFile] | None = None,
        trusted: bool = True,
    ) -> PermissionPolicy:
        """Rules from the settings files of `project` plus the given ones (which rank below
        managed settings and above the rest, like command-line flags)."""
        settings = load_settings(project, files, trusted=trusted)
        given, warnings = [], list(settings.warnings)
        lists: tuple[tuple[Behavior, Iterable[str]], ...] = (
            ("deny", deny),
            ("ask", ask),
            ("allow", allow),
        )
        for behavior, texts in lists:
            for text in texts:
                try:
                    given.append(Rule.parse(text, behavior, "command line", project))
                except ValueError as exc:
                    warnings.append(f"command line: {exc}")
        managed = [r for r in settings.rules if r.source.startswith("managed")]
        others = [r for r in settings.rules if not r.source.startswith("managed")]
        chosen = mode or settings.default_mode or "default"
        if chosen == "bypassPermissions" and settings.disable_bypass:
            warnings.append("bypassPermissions is disabled by settings; using default mode")
            chosen = "default"
        all_roots = [*(roots or [cwd or project]), *settings.additional_directories]
        policy = cls(
            chosen,
            [*managed, *given, *others],
            cwd=cwd or project,
            roots=all_roots,
            warnings=warnings,
        )
        policy.bypass_disabled = settings.disable_bypass
        return policy

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown permission mode {mode!r} (one of {', '.join(MODES)})")
        self.mode = mode

    def add_rule(self, text: str, behavior: Behavior, source: str = "session") -> Rule:
        rule = Rule.parse(text, behavior, source, self.cwd)
        self.rules.append(rule)
        return rule

    def allow_for_session(self, tool_name: str, tool_input: dict[str, Any]) -> Rule:
        """Remember a user's "yes, don't ask again": this exact command for Bash, the tool
        otherwise."""
        command = tool_input.get("command")
        if tool_name == "Bash" and isinstance(command, str):
            return self.add_rule(f"Bash({command.strip()})", "allow")
        return self.add_rule(tool_name, "allow")

    def __call__(self, tool_name: str, tool_input: dict[str, Any]) -> tuple[Behavior, str]:
        decision = self.decide(tool_name, tool_input)
        return decision.behavior, decision.reason

    def decide(self, tool_name: str, tool_input: dict[str, Any]) -> RuleDecision:
        call = _Call(tool_name, tool_input, self.cwd)
        deny = self._first("deny", call)
        if deny is not None:
            return RuleDecision("deny", f"denied by the rule {deny.text} in {deny.source}", deny)
        if self.mode == "plan" and kinds.needs_permission(tool_name):
            return RuleDecision(
                "deny", "plan mode: only read-only tools run until the plan is approved"
            )
        if self.mode == "bypassPermissions":
            return RuleDecision("allow", "bypassPermissions mode")
        decision = self._ask_or_allow(call)
        if decision.behavior == "ask" and self.mode == "dontAsk":
            return RuleDecision(
                "deny",
                f"dontAsk mode denies what no rule allows ({decision.reason})",
                decision.rule,
            )
        return decision

    def _ask_or_allow(self, call: _Call) -> RuleDecision:
        ask = self._first("ask", call)
        if ask is not None:
            return RuleDecision("ask", f"the rule {ask.text} in {ask.source} asks", ask)
        allow = self._allowed(call)
        if allow is not None:
            return RuleDecision(
                "allow", f"allowed by the rule {allow.text} in {allow.source}", allow
            )
        if not kinds.needs_permission(call.name):
            return RuleDecision("allow", "read-only tool")
        if self.mode == "acceptEdits" and kinds.is_edit(call.name):
            path = call.path()
            if path is not None and confinement.inside(path, self.roots):
                return RuleDecision("allow", "acceptEdits mode: edit inside the workspace")
            return RuleDecision("ask", "acceptEdits mode: the edit is outside the workspace")
        return RuleDecision("ask", f"{call.name} needs approval in {self.mode} mode")

    def _first(self, behavior: Behavior, call: _Call) -> Rule | None:
        for rule in self.rules:
            if rule.behavior == behavior and _matches(rule, call, every_part=False):
                return rule
        return None

    def _allowed(self, call: _Call) -> Rule | None:
        rules = [
            r for r in self.rules if r.behavior == "allow" and _tool_matches(r.tool, call.name)
        ]
        whole = next((r for r in rules if _matches(r, call, every_part=True)), None)
        if whole is not None or call.name != "Bash":
            return whole
        # A compound command is allowed when each simple command in it is, by any rule; a
        # `cd` into the workspace needs no rule of its own (`cd src && make`).
        used = []
        for part in shell.split_commands(call.command()):
            if self._cd_inside(part):
                continue
            rule = next((r for r in rules if _bash_spec_matches(r.specifier, part)), None)
            if rule is None:
                return None
            used.append(rule)
        return used[0] if used else None

    def _cd_inside(self, part: str) -> bool:
        try:
            words = shlex.split(part)
        except ValueError:
            return False
        if len(words) != 2 or words[0] != "cd" or shell.has_substitution(part):
            return False
        try:
            target = Path(os.path.realpath(self.cwd / os.path.expanduser(words[1])))
        except (OSError, ValueError):  # no directory can have that name
            return False
        return confinement.inside(target, self.roots)


@dataclass(frozen=True)
class _Call:
    name: str
    input: dict[str, Any]
    cwd: Path

    def command(self) -> str:
        command = self.input.get("command")
        return command if isinstance(command, str) else ""

    def path(self) -> Path | None:
        """The resolved path a file tool targets (search tools default to cwd)."""
        key = kinds.PATH_FIELD.get(self.name)
        raw = self.input.get(key) if key else None
        if not isinstance(raw, str) or not raw:
            return self.cwd if key == "path" else None
        path = Path(os.path.expanduser(raw))
        try:
            return Path(os.path.realpath(path if path.is_absolute() else self.cwd / path))
        except (OSError, ValueError):  # an impossible path (NUL byte): the tool reports it
            return None


def _tool_matches(rule_tool: str, name: str) -> bool:
    if kinds.canonical(rule_tool) == kinds.canonical(name):  # Task(...) rules cover Agent too
        return True
    if rule_tool == "Edit":  # Edit rules cover every tool that edits files
        return kinds.is_edit(name)
    if rule_tool == "Read":  # Read rules cover every tool that reads files
        return name in kinds.READ_PATH_TOOLS
    if rule_tool.startswith("mcp__"):
        server_only = rule_tool.count("__") == 1
        return fnmatch.fnmatchcase(name, rule_tool + "__*" if server_only else rule_tool)
    return False


def _matches(rule: Rule, call: _Call, every_part: bool) -> bool:
    """Whether `rule` covers the call. For Bash, deny/ask rules match if any simple command
    (substitutions included) matches; allow rules here only match the whole command."""
    if not _tool_matches(rule.tool, call.name):
        return False
    if rule.specifier is None:
        return True
    if call.name == "Bash":
        command = call.command()
        if every_part:
            return _bash_spec_matches(rule.specifier, command)
        return any(
            _bash_spec_matches(rule.specifier, part, for_allow=False)
            for part in [command, *shell.all_commands(command)]
        )
    if call.name in kinds.PATH_FIELD:
        path = call.path()
        return path is not None and _path_matches(rule, path, call.cwd)
    if call.name == "WebFetch" and rule.specifier.startswith("domain:"):
        host = urlparse(str(call.input.get("url", ""))).hostname or ""
        domain = rule.specifier.removeprefix("domain:").lower()
        return host == domain or host.endswith("." + domain)
    # Other tools (Task, Skill, MCP tools...): the specifier names any top-level input value.
    return any(
        isinstance(v, str) and fnmatch.fnmatchcase(v, rule.specifier) for v in call.input.values()
    )


def _bash_spec_matches(spec: str | None, command: str, for_allow: bool = True) -> bool:
    """`npm run test:*` is a prefix ending at a word boundary; `*` matches anything. An allow
    wildcard never covers a command running substitutions or writing files through `>`."""
    if spec is None:
        return True
    stripped = shell.strip_wrappers(command)
    exact = spec.strip() in (command.strip(), stripped)
    command = stripped
    if exact or not for_allow:
        return exact or bool(_bash_regex(spec).fullmatch(command))
    if len(shell.split_commands(command)) != 1:
        return False  # compound: each part is judged on its own
    if shell.has_substitution(command) or shell.redirects_to_file(command):
        return False
    return bool(_bash_regex(spec).fullmatch(command))


def _bash_regex(spec: str) -> re.Pattern[str]:
    spec = spec.strip()
    prefix, suffix = (spec[:-2], r"(?:\s.*)?") if spec.endswith(":*") else (spec, "")
    body = ".*".join(re.escape(piece) for piece in prefix.split("*"))
    return re.compile(body + suffix, re.DOTALL)


def _path_matches(rule: Rule, path: Path, cwd: Path) -> bool:
    """gitignore-style: `//abs`, `~/x`, `/x` (from the settings file's project), `x` or `./x`
    (from cwd). A directory matches when everything inside it would."""
    spec = rule.specifier or ""
    if spec.startswith("//"):
        base, pattern = Path("/"), spec[1:]
    elif spec.startswith("~/"):
        base, pattern = Path.home(), spec[1:]
    elif spec.startswith("/"):
        base, pattern = rule.base, spec
    else:
        base, pattern = cwd, spec[1:] if spec.startswith("./") else spec
    base = Path(os.path.realpath(base))
    if not path.is_relative_to(base):
        return False
    rel = path.relative_to(base).as_posix()
    matcher = pathspec.GitIgnoreSpec.from_lines([pattern])
    if rel == ".":
        return matcher.match_file("__any__") and pattern.strip("/") in ("**", "*")
    return matcher.match_file(rel) or (path.is_dir() and matcher.match_file(rel + "/__any__"))
