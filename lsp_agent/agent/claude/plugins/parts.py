"""A loaded plugin's parts, added to the session's commands, skills, subagents, hooks and MCP
servers under the plugin's namespace, as Claude Code names them: `/plugin:command`,
`plugin:skill`, `plugin:agent`, MCP server `plugin_PLUGIN_SERVER` (its tools
`mcp__plugin_PLUGIN_SERVER__tool`). Hooks and MCP servers get `CLAUDE_PLUGIN_ROOT` in their
environment (and `${CLAUDE_PLUGIN_ROOT}` expanded in MCP configurations).

A bad part (unreadable file, malformed hooks.json, frontmatter without a description) is a
problem naming its file; the plugin's other parts still load.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

from lsp_agent.agent.claude import frontmatter
from lsp_agent.agent.claude.commands import CommandSet, from_file
from lsp_agent.agent.claude.hooks_config import HookCommand, HookGroup, HooksConfig, parse_hooks
from lsp_agent.agent.claude.mcp_config import McpConfig, parse_server
from lsp_agent.agent.claude.plugins.manifest import declared_json, inside, part_paths
from lsp_agent.agent.claude.plugins.model import Plugin, PluginSet
from lsp_agent.agent.claude.plugins.user_config import PLACEHOLDER
from lsp_agent.agent.claude.skills import SKILL_FILE, Skill, SkillSet, parse_skill
from lsp_agent.agent.claude.subagents import AgentDefinition, AgentSet, parse_agent

T = TypeVar("T", Skill, AgentDefinition)


def _markdown(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        files += sorted(path.rglob("*.md")) if path.is_dir() else [path]
    return [f for f in files if f.suffix == ".md" and f.is_file()]


def _read(path: Path, problems: list[str]) -> tuple[frontmatter.Frontmatter, str] | None:
    try:
        return frontmatter.read(path)
    except OSError as exc:
        problems.append(f"{path}: unreadable ({exc})")
        return None


def _files(
    plugins: PluginSet, key: str
) -> Iterator[tuple[Plugin, Path, frontmatter.Frontmatter, str]]:
    """Each readable markdown file of one kind of part, with its frontmatter and body."""
    for plugin in plugins.plugins:
        for path in _markdown(part_paths(plugin, key, plugins.problems)):
            read = _read(path, plugins.problems)
            if read is not None:
                yield plugin, path, *read


def add_commands(plugins: PluginSet, commands: CommandSet) -> None:
    for plugin, path, fields, body in _files(plugins, "commands"):
        name = f"{plugin.name}:{path.stem}"
        if name in commands.commands:
            plugins.problems.append(f"{path}: /{name} is already defined; the file is ignored")
            continue
        source = f"plugin:{plugin.name}"
        commands.commands[name] = from_file(name, path, fields, body, source, source)


def add_skills(plugins: PluginSet, skills: SkillSet) -> None:
    for plugin in plugins.plugins:
        for root in part_paths(plugin, "skills", plugins.problems):
            # A skills path is a folder of `<name>/SKILL.md`, or one skill's own folder.
            files = [root / SKILL_FILE] if (root / SKILL_FILE).is_file() else []
            files += sorted(root.glob(f"*/{SKILL_FILE}")) if root.is_dir() else []
            for path in files:
                _add_skill(plugins, plugin, path, skills)


def _add_skill(plugins: PluginSet, plugin: Plugin, path: Path, skills: SkillSet) -> None:
    read = _read(path, plugins.problems)
    if read is not None:
        skill = parse_skill(path, read[0], f"plugin:{plugin.name}", f"{plugin.name}:")
        _put(plugins, skills.skills, skill, path, "skill")


def add_agents(plugins: PluginSet, agents: AgentSet) -> None:
    for plugin, path, fields, body in _files(plugins, "agents"):
        found = parse_agent(path, fields, body, f"plugin:{plugin.name}", f"{plugin.name}:")
        if plugin.config is not None and not isinstance(found, str):
            prompt = plugin.config.substitute(found.prompt, sensitive=False)
            found = dataclasses.replace(found, prompt=prompt)
        _put(plugins, agents.agents, found, path, "subagent")


def _put(plugins: PluginSet, table: dict[str, T], item: T | str, path: Path, kind: str) -> None:
    """`item` into `table` under its name, unless it is a problem (a str) or the name is
    taken (two plugins cannot share a name, so only a prefix-less clash reaches this)."""
    if isinstance(item, str):
        plugins.problems.append(item)
    elif item.name in table:
        plugins.problems.append(f"{path}: {kind} {item.name!r} is already defined; ignored")
    else:
        table[item.name] = item


def add_hooks(plugins: PluginSet, hooks: HooksConfig, *, create: bool = True) -> None:
    """Each plugin's hooks after the settings files' (`disableAllHooks` turns them off too)."""
    if hooks.disabled:
        return
    for plugin in plugins.plugins:
        sources = _hook_sources(plugin, plugins.problems)
        if not sources:
            continue
        parsed = parse_hooks(sources)
        plugins.problems += parsed.problems
        variables = plugin.variables(create=create)
        if plugin.config is not None:
            variables |= plugin.config.environment()
        env = tuple(variables.items())
        for event, groups in parsed.events.items():
            for group in groups:
                configured = (_configured(plugin, h, plugins.problems) for h in group.hooks)
                rooted = tuple(
                    dataclasses.replace(hook, env=(*hook.env, *env))
                    for hook in configured
                    if hook is not None
                )
                hooks.events.setdefault(event, []).append(HookGroup(group.matcher, rooted))


def _configured(plugin: Plugin, hook: HookCommand, problems: list[str]) -> HookCommand | None:
    """`${user_config.KEY}` filled where no shell reads it; a shell command naming one is
    refused (the value could hold shell syntax), as Claude Code refuses it."""
    texts = [hook.command, *(value for _, value in hook.headers)]
    if not any(PLACEHOLDER.search(text) for text in texts):
        return hook
    if hook.kind == "command":
        problems.append(
            f"{hook.source}: {plugin.name}: a shell hook command cannot use "
            "${user_config.*} (the shell would run whatever the value holds); read "
            "$CLAUDE_PLUGIN_OPTION_<KEY> in the script instead. The hook is skipped"
        )
        return None
    if plugin.config is None:
        return hook
    # A prompt hook's text goes to the model: sensitive values stay out of it.
    secret = hook.kind != "prompt"
    return dataclasses.replace(
        hook,
        command=plugin.config.substitute(hook.command, sensitive=secret),
        headers=tuple((k, plugin.config.substitute(v)) for k, v in hook.headers),
    )


def _hook_sources(plugin: Plugin, problems: list[str]) -> list[tuple[str, Any]]:
    paths = [plugin.root / "hooks" / "hooks.json"]
    sources: list[tuple[str, Any]] = []
    for where, declared in plugin.declared("hooks"):
        if isinstance(declared, dict):
            # Inline, the events sit directly under `hooks` (a hooks.json wraps them once more).
            inline = declared if isinstance(declared.get("hooks"), dict) else {"hooks": declared}
            sources.append((str(where), inline))
        else:
            paths += inside(plugin, "hooks", declared, problems, where)
    for path in dict.fromkeys(paths):
        if path.is_file():
            sources.append((str(path), _json(path)))
    return sources


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return exc  # parse_hooks reports it, naming the file


def add_mcp_servers(
    plugins: PluginSet, config: McpConfig, environ: dict[str, str], *, create: bool = True
) -> None:
    for plugin in plugins.plugins:
        found = _mcp_sources(plugin, plugins.problems)
        variables = plugin.variables(create=create) if found else {}
        env = {**environ, **variables}
        for source, servers in found:
            for name, data in servers.items():
                full = f"plugin_{plugin.name}_{name}"
                if plugin.config is not None:
                    data = plugin.config.deep(data)
                server, problem = parse_server(full, data, "plugin", env)
                if server is None:
                    plugins.problems.append(f"{source}: {problem}")
                    continue
                if full in config.servers:
                    plugins.problems.append(f"{source}: MCP server {full!r} is already defined")
                    continue
                for name_, value in variables.items():
                    server.env.setdefault(name_, value)
                config.servers[full] = server


def _mcp_sources(plugin: Plugin, problems: list[str]) -> list[tuple[Path, dict[str, Any]]]:
    found = declared_json(plugin, "mcpServers", ".mcp.json", problems)
    result = []
    for path, data in found:
        # `.mcp.json` wraps servers in `mcpServers`; a manifest's inline object may not.
        servers = data.get("mcpServers", data) if isinstance(data, dict) else None
        if not isinstance(servers, dict):
            problems.append(f"{path}: mcpServers must be an object")
            continue
        result.append((path, servers))
    return result
