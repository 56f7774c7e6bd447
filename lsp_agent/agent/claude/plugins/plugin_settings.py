"""A plugin's own `settings.json`: default settings applied while the plugin is enabled.
Claude Code supports two keys there, `agent` (the main-thread agent; see main_agent.py) and
`subagentStatusLine`; the others are named in the listing (unsupported.py)."""

from __future__ import annotations

import json
from typing import Any

from lsp_agent.agent.claude.plugins.model import Plugin

SETTINGS_FILE = "settings.json"


def plugin_settings(plugin: Plugin, problems: list[str]) -> dict[str, Any]:
    """The plugin's `settings.json`, or {} (a malformed one is a problem naming it)."""
    path = plugin.root / SETTINGS_FILE
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        problems.append(f"{path}: unreadable or malformed JSON ({exc})")
        return {}
    if not isinstance(data, dict):
        problems.append(f"{path}: must be a JSON object")
        return {}
    agent = data.get("agent")
    if agent is not None and not isinstance(agent, str):
        problems.append(f"{path}: 'agent' must be an agent's name")
        data = {k: v for k, v in data.items() if k != "agent"}
    return data
