"""The main-thread agent: the `agent` setting (Claude Code's `--agent` as a setting) runs the
whole session as one subagent definition: its prompt replaces the built-in instructions (memory
still loads), its `tools`/`disallowedTools` narrow the session's tools (an `Agent(type)` entry
allows the Agent tool), its `model` is the session's unless the run names one, and its
`initialPrompt` goes before the session's first prompt (slash commands in it are expanded).

Where the name comes from, highest first: the settings files (managed, local, project, user),
then an enabled plugin's own `settings.json` (plugin_settings.py), whose agent is looked up in
that plugin first. A bare name also finds the one plugin agent `plugin:name`. The folder's own
settings name no agent until it is trusted (claude/trust.py), so a cloned repository cannot
swap the session's instructions before the user has agreed to its files.
"""

from __future__ import annotations

import json
from pathlib import Path

from lsp_agent.agent.claude.files import settings_files
from lsp_agent.agent.claude.plugins.model import PluginSet
from lsp_agent.agent.claude.plugins.plugin_settings import SETTINGS_FILE, plugin_settings
from lsp_agent.agent.claude.subagents import AgentDefinition, AgentSet


def choose(
    project: Path, *, trusted: bool, plugins: PluginSet, agents: AgentSet, problems: list[str]
) -> AgentDefinition | None:
    named = _from_settings(project, trusted) or _from_plugins(plugins)
    if named is None:
        return None
    name, where, plugin = named
    found = _find(agents, name, plugin)
    if found is None:
        problems.append(
            f"{where}: agent {name!r} not found; the session runs with the default instructions"
        )
    return found


def _from_settings(project: Path, trusted: bool) -> tuple[str, Path, str] | None:
    for settings in settings_files(project):
        if settings.from_project and not trusted:
            continue
        try:
            data = json.loads(settings.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # reported by the settings reader
        name = data.get("agent") if isinstance(data, dict) else None
        if isinstance(name, str) and name:
            return name, settings.path, ""
    return None


def _from_plugins(plugins: PluginSet) -> tuple[str, Path, str] | None:
    for plugin in plugins.plugins:
        name = plugin_settings(plugin, []).get("agent")  # problems: plugins/checks.py
        if isinstance(name, str) and name:
            return name, plugin.root / SETTINGS_FILE, plugin.name
    return None


def _find(agents: AgentSet, name: str, plugin: str) -> AgentDefinition | None:
    if plugin and f"{plugin}:{name}" in agents.agents:
        return agents.agents[f"{plugin}:{name}"]
    if name in agents.agents:
        return agents.agents[name]
    scoped = [a for key, a in agents.agents.items() if key.endswith(f":{name}")]
    return scoped[0] if len(scoped) == 1 else None


def tool_names(agent: AgentDefinition, available: list[str]) -> list[str]:
    """The session's tools the main agent keeps. Unlike a subagent's, they may include the
    Agent tool: `Agent(reviewer)` in `tools` allows it."""
    wanted = None if agent.tools is None else {t.partition("(")[0] for t in agent.tools}
    refused = set(agent.disallowed_tools)
    return [n for n in available if (wanted is None or n in wanted) and n not in refused]


def first_prompt(agent: AgentDefinition | None, prompt: str) -> str:
    """`initialPrompt` before the user's first prompt of a new session."""
    if agent is None or not agent.initial_prompt.strip():
        return prompt
    return f"{agent.initial_prompt}\n\n{prompt}" if prompt.strip() else agent.initial_prompt
