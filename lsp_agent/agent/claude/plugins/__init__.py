"""Claude Code plugins: directories of commands, agents, skills, hooks and MCP servers.

`discover` finds them (`--plugin-dir`, `plugins.dirs`, `enabledPlugins`; discovery.py),
`read_plugin` reads one (manifest.py), and the `add_*` functions of parts.py put their parts
into the session's sets under the plugin's namespace.
"""

from lsp_agent.agent.claude.plugins.discovery import discover
from lsp_agent.agent.claude.plugins.model import Plugin, PluginFailure, PluginSet

__all__ = ["Plugin", "PluginFailure", "PluginSet", "discover"]
