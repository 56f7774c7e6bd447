"""Which MCP servers a project uses: Claude Code's configuration files and the user's approvals.

Sources, highest precedence first (a name defined twice keeps the first):
- local: `~/.claude.json` -> `projects[<project path>].mcpServers` (what `claude mcp add` writes)
- project: `<project>/.mcp.json` -> `mcpServers` (checked in; each server needs the user's
  approval once, see below)
- user: `~/.claude.json` -> `mcpServers`

A server is `{"command", "args", "env"}` (stdio; `"type": "stdio"` optional) or
`{"type": "http" | "sse", "url", "headers"}`. `${VAR}` and `${VAR:-default}` expand from the
environment in command, args, env, url and headers; an unset variable without a default
disables that server with a message.

Project servers run only once approved: by `enableAllProjectMcpServers` or
`enabledMcpjsonServers` / `disabledMcpjsonServers` in the settings files, or by the user's answer
to the host's prompt, remembered in `data_dir()/mcp-approvals.json` per project and server
together with a hash of the server's configuration, so a changed command is asked about again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsp_agent.agent.claude.files import settings_files
from lsp_agent.paths import data_dir

TRANSPORTS = ("stdio", "http", "sse")
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


@dataclass(frozen=True)
class McpServerConfig:
    name: str
    transport: str  # stdio | http | sse
    scope: str  # local | project | user | options
    command: str = ""
    args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    url: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    def fingerprint(self) -> str:
        data = [self.transport, self.command, self.args, sorted(self.env.items()), self.url]
        return hashlib.sha256(json.dumps(data, default=list).encode()).hexdigest()[:16]

    def summary(self) -> str:
        if self.transport == "stdio":
            return " ".join([self.command, *self.args])
        return f"{self.transport} {self.url}"


@dataclass
class McpConfig:
    servers: dict[str, McpServerConfig] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    # Settings-file switches for project servers.
    enable_all_project: bool = False
    enabled: set[str] = field(default_factory=set)
    disabled: set[str] = field(default_factory=set)


def expand(text: str, environ: dict[str, str], missing: list[str]) -> str:
    def fill(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in environ:
            return environ[name]
        if default is not None:
            return default
        missing.append(name)
        return ""

    return _VAR.sub(fill, text)


def parse_server(
    name: str, data: Any, scope: str, environ: dict[str, str]
) -> tuple[McpServerConfig | None, str]:
    """One server entry, expanded; (None, why) when it cannot be used."""
    if not isinstance(data, dict):
        return None, f"MCP server {name!r}: must be an object"
    transport = data.get("type", "stdio" if "command" in data else "")
    transport = "http" if transport == "streamable-http" else transport
    if transport not in TRANSPORTS:
        return None, f"MCP server {name!r}: unsupported type {transport!r}"
    missing: list[str] = []

    def text(value: Any) -> str:
        return expand(str(value), environ, missing)

    def mapping(key: str) -> dict[str, str]:
        value = data.get(key) or {}
        return {str(k): text(v) for k, v in value.items()} if isinstance(value, dict) else {}

    args = data.get("args") or []
    server = McpServerConfig(
        name=name,
        transport=transport,
        scope=scope,
        command=text(data.get("command", "")),
        args=tuple(text(a) for a in args) if isinstance(args, list) else (),
        env=mapping("env"),
        url=text(data.get("url", "")),
        headers=mapping("headers"),
    )
    if missing:
        names = ", ".join(sorted(set(missing)))
        return None, f"MCP server {name!r}: environment variable(s) {names} not set"
    if transport == "stdio" and not server.command:
        return None, f"MCP server {name!r}: no command"
    if transport != "stdio" and not server.url:
        return None, f"MCP server {name!r}: no url"
    return server, ""


def load_mcp_config(
    project: Path,
    *,
    extra: dict[str, Any] | None = None,
    environ: dict[str, str] | None = None,
    trusted: bool = True,
) -> McpConfig:
    """Servers for `project`; `extra` is an `mcpServers`-shaped dict from the host (first).
    An untrusted folder's `.mcp.json` is not read, nor its settings' switches that enable
    servers (`disabledMcpjsonServers` still counts)."""
    environ = dict(os.environ) if environ is None else environ
    config = McpConfig()
    user_file = _read_json(Path.home() / ".claude.json", config)
    projects = user_file.get("projects")
    local = projects.get(str(project)) if isinstance(projects, dict) else None
    sources = [
        ("options", extra or {}),
        ("local", local.get("mcpServers", {}) if isinstance(local, dict) else {}),
        ("project", project_servers(project, config) if trusted else {}),
        ("user", user_file.get("mcpServers", {})),
    ]
    for scope, servers in sources:
        if not isinstance(servers, dict):
            config.problems.append(f"mcpServers of the {scope} configuration must be an object")
            continue
        for name, data in servers.items():
            if name in config.servers:
                continue
            server, problem = parse_server(str(name), data, scope, environ)
            if server is not None:
                config.servers[server.name] = server
            else:
                config.problems.append(problem)
    _read_switches(project, config, trusted)
    return config


def project_servers(project: Path, config: McpConfig | None = None) -> Any:
    """The `mcpServers` of the project's `.mcp.json`, as written."""
    return _read_json(project / ".mcp.json", config or McpConfig()).get("mcpServers", {})


def _read_json(path: Path, config: McpConfig) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        config.problems.append(f"{path}: unreadable ({exc}); its MCP servers are ignored")
        return {}
    return data if isinstance(data, dict) else {}


def _read_switches(project: Path, config: McpConfig, trusted: bool) -> None:
    for found in settings_files(project):
        data = _read_json(found.path, config)
        config.disabled |= {str(n) for n in data.get("disabledMcpjsonServers") or []}
        if found.from_project and not trusted:
            continue
        config.enable_all_project |= data.get("enableAllProjectMcpServers") is True
        config.enabled |= {str(n) for n in data.get("enabledMcpjsonServers") or []}


class Approvals:
    """The user's remembered answers about project (`.mcp.json`) servers."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or data_dir() / "mcp-approvals.json"

    def get(self, project: Path, server: McpServerConfig) -> bool | None:
        entry = self._load().get(str(project), {}).get(server.name)
        if not isinstance(entry, dict) or entry.get("fingerprint") != server.fingerprint():
            return None
        return bool(entry.get("approved"))

    def set(self, project: Path, server: McpServerConfig, approved: bool) -> None:
        data = self._load()
        entry = {"approved": approved, "fingerprint": server.fingerprint()}
        data.setdefault(str(project), {})[server.name] = entry
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data, indent=2), encoding="utf-8")
        temporary.replace(self.path)

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}
