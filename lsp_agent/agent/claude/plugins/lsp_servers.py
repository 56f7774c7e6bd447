"""A plugin's language servers (`.lsp.json`, `lspServers` in plugin.json or its marketplace
entry), read and checked so they can be listed. lsp-agent never starts them: the editor it
serves runs its own language servers, and Claude Code's use of these (diagnostics after edits,
navigation) is what lsp-agent's own index and the editor already give.

Each server needs `command` (a string) and `extensionToLanguage` (`{".ext": "language"}`);
the optional fields are checked for their types. A bad server is a problem naming its file;
the plugin's other servers and parts still load.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsp_agent.agent.claude.plugins.manifest import declared_json
from lsp_agent.agent.claude.plugins.model import Plugin

LSP_FILE = ".lsp.json"
NOT_STARTED = (
    "language servers are listed, not started: lsp-agent runs in an editor that has its own"
)
_OPTIONAL: dict[str, type] = {
    "args": list,
    "transport": str,
    "env": dict,
    "initializationOptions": dict,
    "settings": dict,
    "workspaceFolder": str,
    "startupTimeout": int,
    "shutdownTimeout": int,
    "restartOnCrash": bool,
    "maxRestarts": int,
    "diagnostics": bool,
}


@dataclass(frozen=True)
class LspServer:
    name: str
    command: str
    extensions: tuple[str, ...]
    source: Path

    def label(self) -> str:
        return f"{self.name} ({self.command}: {' '.join(self.extensions)})"


def lsp_servers(plugin: Plugin, problems: list[str]) -> list[LspServer]:
    found: list[LspServer] = []
    for source, servers in _sources(plugin, problems):
        for name, data in servers.items():
            server = _server(str(name), data, source)
            if isinstance(server, str):
                problems.append(f"{source}: {plugin.name}: LSP server {name!r}: {server}")
            else:
                found.append(server)
    return found


def _sources(plugin: Plugin, problems: list[str]) -> list[tuple[Path, dict[str, Any]]]:
    found = declared_json(plugin, "lspServers", LSP_FILE, problems)
    result = []
    for path, data in found:
        if isinstance(data, dict):
            result.append((path, data))
        else:
            problems.append(f"{path}: {plugin.name}: LSP servers must be an object of servers")
    return result


def _server(name: str, data: Any, source: Path) -> LspServer | str:
    """The server, or what is wrong with it."""
    if not isinstance(data, dict):
        return "must be an object"
    command = data.get("command")
    if not isinstance(command, str) or not command:
        return "'command' (a string) is required"
    mapping = data.get("extensionToLanguage")
    if not isinstance(mapping, dict) or not mapping:
        return '\'extensionToLanguage\' (an object like {".go": "go"}) is required'
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
        return "'extensionToLanguage' must map extensions to language names"
    wrong = [key for key, kind in _OPTIONAL.items() if key in data and not _is(data[key], kind)]
    if wrong:
        return f"wrong type for {', '.join(wrong)}"
    if data.get("transport", "stdio") not in ("stdio", "socket"):
        return "'transport' must be stdio or socket"
    return LspServer(name, command, tuple(mapping), source)


def _is(value: Any, kind: type) -> bool:
    if kind is int:  # JSON true is not a number of milliseconds
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)
