"""`mcp_tool` hooks: call one tool of an MCP server the session has already connected, with the
hook's `input`. String values in `input` may hold `${path}` placeholders, filled from the
event's JSON (`${tool_input.file_path}`); a path the event lacks becomes "". The tool's text is
read like a command hook's stdout (JSON output decides, other text is context where an
event takes plain stdout). A server that is not connected (the hook never starts one), an
unknown tool, or a result with `isError` is a non-blocking error, as in Claude Code.

A plugin's server may be named as Claude Code scopes it, `plugin:<plugin>:<server>`; lsp-agent
registers it as `plugin_<plugin>_<server>`."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from lsp_agent.agent.claude.hooks_config import HookCommand

if TYPE_CHECKING:
    from lsp_agent.agent.claude.mcp_servers import McpServers

_PATH = re.compile(r"\$\{([A-Za-z0-9_.-]+)\}")

# (exit code, stdout, stderr), as a command hook's.
Called = tuple[int | None, str, str]


async def call_mcp_hook(
    hook: HookCommand, event: dict[str, Any], servers: McpServers | None
) -> Called:
    name = _registered(hook.server)
    found = [
        t
        for t in (servers.tools() if servers is not None else [])
        if t.connection.server.name == name
    ]
    if not found:
        return 1, "", f"MCP server {hook.server!r} is not connected"
    tool = next((t for t in found if t.remote_name == hook.tool), None)
    if tool is None:
        have = ", ".join(t.remote_name for t in found)
        return 1, "", f"MCP server {hook.server!r} has no tool {hook.tool!r} (it has: {have})"
    arguments = fill(json.loads(hook.tool_input or "{}"), event)
    result = await tool.connection.call(tool.remote_name, arguments)
    content = result.content
    text = content if isinstance(content, str) else _text(content)
    if result.is_error:
        return 1, "", f"the tool answered with an error: {text.strip()[:500]}"
    return 0, text, ""


def fill(value: Any, event: dict[str, Any]) -> Any:
    """`value` with `${path}` placeholders in its strings replaced from `event`."""
    if isinstance(value, str):
        return _PATH.sub(lambda m: _lookup(event, m.group(1)), value)
    if isinstance(value, list):
        return [fill(v, event) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, event) for k, v in value.items()}
    return value


def _lookup(event: dict[str, Any], path: str) -> str:
    found: Any = event
    for part in path.split("."):
        if not isinstance(found, dict) or part not in found:
            return ""
        found = found[part]
    return found if isinstance(found, str) else json.dumps(found)


def _registered(server: str) -> str:
    scope, _, rest = server.partition(":")
    plugin, _, name = rest.partition(":")
    return f"plugin_{plugin}_{name}" if scope == "plugin" and plugin and name else server


def _text(blocks: list[dict[str, Any]]) -> str:
    return "\n".join(b.get("text", "") for b in blocks if b.get("type") == "text")
