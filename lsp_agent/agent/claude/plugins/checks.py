"""Reading, when a session loads, the plugin files lsp-agent lists but does not use (language
servers, a plugin's settings.json), so a malformed one is reported where the user looks
(`lsp-agent ask`'s stderr, the editor's message) and not only in `lsp-agent plugins`."""

from __future__ import annotations

from lsp_agent.agent.claude.plugins.lsp_servers import lsp_servers
from lsp_agent.agent.claude.plugins.model import PluginSet
from lsp_agent.agent.claude.plugins.plugin_settings import plugin_settings


def check_unused_parts(plugins: PluginSet) -> None:
    for plugin in plugins.plugins:
        lsp_servers(plugin, plugins.problems)
        plugin_settings(plugin, plugins.problems)
