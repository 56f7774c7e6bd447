"""What `lsp-agent plugins` and the server's `lspAgent.plugins` show: each loaded plugin with
where it came from and its parts, and each plugin that did not load with the reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lsp_agent.agent.claude.commands import CommandSet
from lsp_agent.agent.claude.hooks_config import HooksConfig
from lsp_agent.agent.claude.mcp_config import McpConfig
from lsp_agent.agent.claude.plugins import parts, unsupported
from lsp_agent.agent.claude.plugins.discovery import discover
from lsp_agent.agent.claude.plugins.lsp_servers import NOT_STARTED, lsp_servers
from lsp_agent.agent.claude.plugins.model import Plugin, PluginSet
from lsp_agent.agent.claude.plugins.plugin_settings import plugin_settings
from lsp_agent.agent.claude.skills import SkillSet
from lsp_agent.agent.claude.subagents import AgentSet


def report(plugins: PluginSet) -> dict[str, Any]:
    """`plugins.listing()` with each plugin's parts. Reads the parts again into empty sets, so
    the problems it finds are reported here too."""
    found = PluginSet(plugins.plugins, plugins.failures, [])
    commands, skills, agents = CommandSet(), SkillSet(), AgentSet()
    hooks, servers = HooksConfig(), McpConfig()
    parts.add_commands(found, commands)
    parts.add_skills(found, skills)
    parts.add_agents(found, agents)
    parts.add_hooks(found, hooks, create=False)  # listing creates no data directories
    parts.add_mcp_servers(found, servers, {}, create=False)
    listing = found.listing()
    for row in listing["loaded"]:
        prefix = f"{row['name']}:"
        row["commands"] = sorted(f"/{n}" for n in commands.commands if n.startswith(prefix))
        row["skills"] = sorted(n for n in skills.skills if n.startswith(prefix))
        row["agents"] = sorted(n for n in agents.agents if n.startswith(prefix))
        root = row["root"]
        row["hooks"] = sorted(
            event
            for event, groups in hooks.events.items()
            if any(("CLAUDE_PLUGIN_ROOT", root) in h.env for g in groups for h in g.hooks)
        )
        row["mcpServers"] = sorted(
            n for n in servers.servers if n.startswith(f"plugin_{row['name']}_")
        )
        row["bin"] = str(Path(root) / "bin") if (Path(root) / "bin").is_dir() else ""
    for row, plugin in zip(listing["loaded"], found.plugins, strict=True):
        _extras(row, plugin, found)
    listing["problems"] = list(found.problems)
    return listing


def _extras(row: dict[str, Any], plugin: Plugin, found: PluginSet) -> None:
    """Language servers, user options (sensitive values redacted), the plugin's main agent
    setting, and the parts lsp-agent does not use."""
    servers = lsp_servers(plugin, found.problems)
    row["lspServers"] = [s.label() for s in servers]
    row["userConfig"] = plugin.config.listing() if plugin.config is not None else []
    if plugin.config is not None:
        found.problems += plugin.config.problems
    settings = plugin_settings(plugin, found.problems)
    row["agent"] = settings.get("agent", "")
    row["notes"] = ([NOT_STARTED] if servers else []) + unsupported.notes(plugin, settings)


def text(listing: dict[str, Any]) -> str:
    lines = []
    for row in listing["loaded"]:
        title = row["name"] + (f" {row['version']}" if row["version"] else "")
        lines.append(f"{title}  [{row['origin']}]  {row['root']}")
        for key in ("commands", "skills", "agents", "hooks", "mcpServers"):
            if row[key]:
                lines.append(f"  {key}: {', '.join(row[key])}")
        if row["bin"]:
            lines.append(f"  bin: {row['bin']} (on the Bash PATH)")
        if row["lspServers"]:
            lines.append(f"  lspServers: {', '.join(row['lspServers'])}")
        if row["agent"]:
            lines.append(f"  agent: {row['agent']} (settings.json: the main-thread agent)")
        for option in row["userConfig"]:
            value = json.dumps(option["value"]) if option["set"] else "not set"
            lines.append(f"  option {option['key']} ({option['title']}): {value}")
        lines += [f"  note: {note}" for note in row["notes"]]
    if not listing["loaded"]:
        lines.append("no plugins loaded")
    for row in listing["failed"]:
        name = f"{row['id']}: " if row["id"] else ""
        lines.append(f"FAILED {name}{row['where']}: {row['reason']}")
    lines += [f"problem: {problem}" for problem in listing["problems"]]
    return "\n".join(lines)


def describe(
    project: Path, *, trusted: bool, dirs: list[Path], origin: str = "--plugin-dir"
) -> dict[str, Any]:
    return report(discover(project, trusted=trusted, dirs=dirs, origin=origin))
