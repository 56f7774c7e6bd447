"""Parts of a plugin that lsp-agent finds but does not use, each named in the plugin listing
so nothing is dropped without a word: monitors (background commands whose output Claude Code
feeds the model), themes (terminal colours), workflows, channels (message injection through a
plugin's MCP server), `dependencies` (other plugins Claude Code installs alongside), and a
plugin `settings.json`'s keys other than `agent` (`subagentStatusLine`)."""

from __future__ import annotations

from typing import Any

from lsp_agent.agent.claude.plugins.model import Plugin

# key (also under `experimental`), default location, what it is
PARTS = (
    ("monitors", "monitors/monitors.json", "background monitors are not started"),
    ("themes", "themes", "themes have no use in an editor"),
    ("workflows", "workflows", "workflow scripts are not run"),
    ("channels", "", "channels (message injection) are not connected"),
    ("dependencies", "", "dependencies are not installed or checked: enable them yourself"),
)


def notes(plugin: Plugin, settings: dict[str, Any]) -> list[str]:
    found = []
    for key, default, what in PARTS:
        where = [str(w) for w, _ in plugin.declared(key)]
        for w, experimental in plugin.declared("experimental"):
            if isinstance(experimental, dict) and key in experimental:
                where.append(f"{w} (experimental.{key})")
        if default and (plugin.root / default).exists():
            where.append(str(plugin.root / default))
        if where:
            found.append(f"{key}: {what} ({', '.join(dict.fromkeys(where))})")
    ignored = sorted(k for k in settings if k != "agent")
    if ignored:
        path = plugin.root / "settings.json"
        found.append(f"settings.json: {', '.join(ignored)} not used ({path}); only 'agent' is")
    return found
