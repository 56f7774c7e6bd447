"""Workspace trust: what an opened folder would make us run, and the user's answer about it.

Opening a folder is casual; cloning a repository is how attacks arrive. Until the user trusts a
folder, nothing the folder itself supplies may run code, widen permissions or read outside it:
its hooks, allow rules, `defaultMode` and `additionalDirectories`, its `.mcp.json` servers and
the settings that enable them, its commands' and skills' `allowed-tools`, the hooks in its
agents', skills' and commands' frontmatter, its agents' inline MCP servers and a `permissionMode`
wider than the session's, and CLAUDE.md imports leaving it.
Its deny and ask rules and its plain CLAUDE.md text still apply: they only restrict or inform.
The loaders take the decision as their `trusted` parameter; this module only works it out.

`supplied(project)` lists what would take effect once trusted, for the question the user sees;
its fingerprint is stored with the answer (`data_dir()/trusted-folders.json`), so a folder whose
hooks, rules or servers change is asked about again.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from lsp_agent.agent.claude.files import settings_files
from lsp_agent.agent.claude.hooks_config import HooksConfig
from lsp_agent.paths import data_dir

Answer = Literal["trusted", "untrusted"]
STORE_FILE = "trusted-folders.json"
# Settings keys of the folder's own files that run code or widen what the agent may do.
_WIDENING = (
    "hooks",
    "env",
    "enableAllProjectMcpServers",
    "enabledMcpjsonServers",
    "apiKeyHelper",
    "enabledPlugins",  # plugins bring hooks, MCP servers and `!` commands
    "extraKnownMarketplaces",
    "agent",  # the main-thread agent: its prompt replaces the instructions (main_agent.py)
)
_WIDENING_PERMISSIONS = ("allow", "defaultMode", "additionalDirectories")


@dataclass
class Supplied:
    """What a folder's own files would make take effect once it is trusted."""

    hooks: list[str] = field(default_factory=list)  # "PreToolUse: ./evil.sh"
    rules: list[str] = field(default_factory=list)  # "allow Bash(*)", "defaultMode bypass..."
    servers: list[str] = field(default_factory=list)  # "demo: python server.py"
    settings: list[str] = field(default_factory=list)  # "env: AWS_PROFILE", other switches
    imports: list[str] = field(default_factory=list)  # files outside the folder CLAUDE.md pulls in
    commands: list[str] = field(default_factory=list)  # "/deploy: Bash(*)"
    raw: dict[str, Any] = field(default_factory=dict)  # what the fingerprint covers

    @property
    def empty(self) -> bool:
        return not self.raw

    def fingerprint(self) -> str:
        text = json.dumps(self.raw, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def lines(self) -> list[str]:
        sections = [
            ("hooks", self.hooks),
            ("permission rules", self.rules),
            ("MCP servers", self.servers),
            ("settings", self.settings),
            ("commands and skills allowing tools", self.commands),
            ("CLAUDE.md imports from outside the folder", self.imports),
        ]
        return [f"{title}: {'; '.join(items)}" for title, items in sections if items]


def supplied(project: Path) -> Supplied:
    """Everything the folder's own files would switch on, read without running any of it."""
    found = Supplied()
    for entry in settings_files(project):
        if entry.from_project:
            _settings(found, entry.path)
    _servers(found, project)
    _commands(found, project)
    _frontmatter(found, project)
    _imports(found, project)
    return found


def _settings(found: Supplied, path: Path) -> None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if not isinstance(data, dict):
        return
    perms = data.get("permissions")
    perms = perms if isinstance(perms, dict) else {}
    widening = {k: data[k] for k in _WIDENING if k in data}
    widening |= {f"permissions.{k}": perms[k] for k in _WIDENING_PERMISSIONS if k in perms}
    if not widening:
        return
    found.raw[str(path)] = widening
    hooks = data.get("hooks")
    for event, groups in hooks.items() if isinstance(hooks, dict) else []:
        for group in groups if isinstance(groups, list) else []:
            inner = group.get("hooks") if isinstance(group, dict) else None
            for hook in inner if isinstance(inner, list) else []:
                if isinstance(hook, dict):
                    found.hooks.append(f"{event}: {hook.get('command', hook.get('type'))}")
    found.rules += [f"allow {rule}" for rule in _strings(perms.get("allow"))]
    if "defaultMode" in perms:
        found.rules.append(f"defaultMode {perms['defaultMode']}")
    found.rules += [f"directory {d}" for d in _strings(perms.get("additionalDirectories"))]
    env = data.get("env")
    if isinstance(env, dict) and env:
        found.settings.append("env: " + ", ".join(sorted(map(str, env))))
    for key in (
        "enableAllProjectMcpServers",
        "enabledMcpjsonServers",
        "apiKeyHelper",
        "enabledPlugins",
        "extraKnownMarketplaces",
    ):
        if key in data:
            found.settings.append(f"{key}: {json.dumps(data[key])}")


def _servers(found: Supplied, project: Path) -> None:
    from lsp_agent.agent.claude.mcp_config import project_servers

    servers = project_servers(project)
    if not isinstance(servers, dict) or not servers:
        return
    found.raw[".mcp.json"] = servers
    for name, entry in servers.items():
        entry = entry if isinstance(entry, dict) else {}
        what = entry.get("url") or " ".join(
            [str(entry.get("command", "")), *map(str, entry.get("args") or [])]
        )
        found.servers.append(f"{name}: {what}")


def _commands(found: Supplied, project: Path) -> None:
    from lsp_agent.agent.claude.commands import load_commands

    commands = load_commands(project).commands.values()
    for command in sorted(commands, key=lambda c: c.name):
        if command.source == "project" and command.allowed_tools:
            found.raw[f"/{command.name}"] = list(command.allowed_tools)
            found.commands.append(f"/{command.name}: {', '.join(command.allowed_tools)}")


def _frontmatter(found: Supplied, project: Path) -> None:
    """Hooks in the folder's agents, skills and commands; skills' `allowed-tools`; agents'
    inline MCP servers and permission modes."""
    from lsp_agent.agent.claude import frontmatter_hooks
    from lsp_agent.agent.claude.skills import load_skills
    from lsp_agent.agent.claude.subagents import load_agents

    for skill in sorted(load_skills(project).skills.values(), key=lambda s: s.name):
        if skill.source == "project" and skill.allowed_tools:
            found.raw[f"skill {skill.name}"] = list(skill.allowed_tools)
            found.commands.append(f"/{skill.name}: {', '.join(skill.allowed_tools)}")
    claude = project / ".claude"
    for kind, pattern in (("skill", "skills/*/SKILL.md"), ("command", "commands/**/*.md")):
        for path in sorted(claude.glob(pattern)) if claude.is_dir() else []:
            _file_hooks(found, project, kind, path, frontmatter_hooks.read(path))
    agents = load_agents(project).agents.values()
    for agent in sorted(agents, key=lambda a: str(a.path)):
        if agent.source != "project" or agent.path is None:
            continue
        _file_hooks(found, project, "agent", agent.path, agent.hooks)
        inline = [name for e in agent.mcp_servers if isinstance(e, dict) for name in e]
        if inline:
            found.raw[f"agent {agent.name} servers"] = list(agent.mcp_servers)
            found.servers += [f"{name} (agent {agent.name})" for name in inline]
        if agent.permission_mode in ("acceptEdits", "bypassPermissions"):
            found.raw[f"agent {agent.name} mode"] = agent.permission_mode
            found.rules.append(f"agent {agent.name}: permissionMode {agent.permission_mode}")


def _file_hooks(found: Supplied, project: Path, kind: str, path: Path, hooks: HooksConfig) -> None:
    from lsp_agent.agent.claude.frontmatter_hooks import summary

    lines = summary(hooks)
    if lines:
        where = path.relative_to(project).as_posix()
        found.raw[where] = lines
        found.hooks += [f"{line} ({kind} {where})" for line in lines]


def _imports(found: Supplied, project: Path) -> None:
    from lsp_agent.agent.prompt.memory import outside_imports

    paths = [str(m.path) for m in outside_imports(project)]
    if paths:
        found.raw["imports"] = paths
        found.imports = paths


def _strings(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


class TrustStore:
    """The user's remembered answers, per folder, with the fingerprint of what was shown."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or data_dir() / STORE_FILE

    def get(self, project: Path, fingerprint: str | None = None) -> Answer | None:
        """The remembered answer; None when there is none, or (given `fingerprint`) when what
        the folder supplies has changed since."""
        entry = self.entry(project)
        if entry is None or entry.get("answer") not in ("trusted", "untrusted"):
            return None
        if fingerprint is not None and entry.get("fingerprint") != fingerprint:
            return None
        answer: Answer = entry["answer"]
        return answer

    def entry(self, project: Path) -> dict[str, Any] | None:
        entry = self._load().get(str(project.resolve()))
        return entry if isinstance(entry, dict) else None

    def set(self, project: Path, answer: Answer, fingerprint: str) -> None:
        data = self._load()
        data[str(project.resolve())] = {
            "answer": answer,
            "fingerprint": fingerprint,
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        self._save(data)

    def revoke(self, project: Path) -> bool:
        """Forget the answer for `project` (it is asked about again); whether there was one."""
        data = self._load()
        removed = data.pop(str(project.resolve()), None) is not None
        if removed:
            self._save(data)
        return removed

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _save(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(data, indent=2), encoding="utf-8")
        temporary.replace(self.path)
