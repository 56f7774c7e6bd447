"""What a subagent's own frontmatter changes around its run: `permissionMode`, `hooks` and
`mcpServers` (claude/subagents.py reads them; a plugin's agent has none of them).

- `permissionMode`: the subagent runs in that mode, on a view of the parent's permission rules
  (the user's "allow for this session" answers hold in both). The parent's `acceptEdits` or
  `bypassPermissions` wins, as in Claude Code, and so does its `plan` (the user asked for no
  changes yet); `bypassPermissions` is ignored where settings disable it. A project's agent in
  a folder the user has not trusted may only narrow the mode (plan < dontAsk < default <
  acceptEdits < bypassPermissions), never widen it.
- `hooks`: added to the session's hooks for the subagent's run only (`Stop` already became
  `SubagentStop`; its PermissionRequest and PermissionDenied hooks wrap the question the
  subagent's gate asks); a project's agent's run only once the folder is trusted.
- `mcpServers`: a name gives the subagent that configured server's tools (the parent's
  connection); an inline definition is connected for the subagent and closed after it (a
  project's agent's only once the folder is trusted).

Each thing left out is said to the user as a `hook` message naming the agent.
"""

from __future__ import annotations

import copy
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lsp_agent.agent.claude import frontmatter_hooks
from lsp_agent.agent.claude.hooks import HookRunner
from lsp_agent.agent.claude.mcp_config import McpConfig, parse_server
from lsp_agent.agent.claude.mcp_servers import McpServers, McpTool
from lsp_agent.agent.claude.subagents import AgentDefinition
from lsp_agent.agent.permissions.gate import PermissionGate, headless_denial
from lsp_agent.agent.permissions.rules import PermissionPolicy
from lsp_agent.agent.ports import CanUseTool, PermissionResult

if TYPE_CHECKING:
    from lsp_agent.agent.claude.extensions import Extensions
    from lsp_agent.agent.tools.base import Tool

# From the narrowest mode to the widest.
WIDTH = {"plan": 0, "dontAsk": 1, "default": 2, "acceptEdits": 3, "bypassPermissions": 4}
PARENT_WINS = ("plan", "acceptEdits", "bypassPermissions")


@dataclass
class SubagentScope:
    mode: str
    gate: PermissionGate
    extensions: Extensions
    tools: list[Tool] = field(default_factory=list)  # MCP tools its `mcpServers` add


def subagent_mode(
    definition: AgentDefinition,
    parent_mode: str,
    *,
    trusted: bool,
    bypass_disabled: bool = False,
) -> tuple[str, str]:
    """The mode the subagent runs in, and why its own was not used ("" when it was)."""
    wanted = definition.permission_mode
    if not wanted or wanted == parent_mode or parent_mode in PARENT_WINS:
        return parent_mode, ""
    if wanted == "bypassPermissions" and bypass_disabled:
        return parent_mode, "bypassPermissions is disabled by settings"
    untrusted = definition.source == "project" and not trusted
    if untrusted and WIDTH.get(wanted, 0) > WIDTH.get(parent_mode, 0):
        return parent_mode, f"the folder is not trusted: it cannot widen {parent_mode} to {wanted}"
    return wanted, ""


def child_gate(gate: PermissionGate, mode: str, ask: CanUseTool | None) -> PermissionGate:
    """The parent's gate in `mode`, asking through `ask`: the same rules (shared)."""
    policy = gate.policy
    if mode != gate.mode and isinstance(policy, PermissionPolicy):
        policy = copy.copy(policy)  # `rules` stays the same list: session answers reach both
        policy.set_mode(mode)
    if policy is gate.policy and ask is gate.can_use_tool:
        return gate
    return PermissionGate(policy, ask, edits_reviewed=gate.edits_reviewed, mode=gate.mode)


def own_permission_hooks(
    ask: CanUseTool | None, own: HookRunner, note: Callable[[str], None]
) -> CanUseTool | None:
    """`ask` with the subagent's own PermissionRequest hooks first (they may answer) and its
    PermissionDenied hooks after a no; the session's run inside `ask`, as for the parent."""
    if not (own.has("PermissionRequest") or own.has("PermissionDenied")):
        return ask

    async def asking(name: str, tool_input: dict[str, Any], reason: str) -> PermissionResult:
        call = {"tool_name": name, "tool_input": tool_input}
        request = await own.run("PermissionRequest", call, name)
        for message in request.user_messages():
            note(message)
        if request.permission_decision in ("allow", "deny"):
            why = request.permission_reason or "denied by a PermissionRequest hook"
            return PermissionResult(request.permission_decision, request.updated_input, why)
        if ask is None:
            answer = PermissionResult("deny", message=headless_denial(name, reason))
        else:
            answer = await ask(name, tool_input, reason)
        if answer.behavior != "allow":
            denied = await own.run("PermissionDenied", {**call, "reason": answer.message}, name)
            for message in denied.user_messages():
                note(message)
        return answer

    return asking


@asynccontextmanager
async def subagent_scope(
    definition: AgentDefinition,
    gate: PermissionGate,
    ext: Extensions,
    parent_tools: dict[str, Tool],
) -> AsyncIterator[SubagentScope]:
    """The subagent's gate, extensions view and extra tools; its own MCP servers are closed
    when the block ends."""
    label = f"subagent {definition.name!r}"

    def note(message: str) -> None:
        ext.emit("hook", {"event": "SubagentStart", "message": f"{label}: {message}"})

    trusted = ext.trusted
    mode, why = subagent_mode(
        definition,
        gate.mode,
        trusted=trusted,
        bypass_disabled=getattr(gate.policy, "bypass_disabled", False),
    )
    if why:
        note(f"permissionMode {definition.permission_mode} not applied: {why}")
    untrusted = definition.source == "project" and not trusted
    hooks = definition.hooks
    if hooks.events and untrusted:
        note("its frontmatter hooks do not run until the folder is trusted")
    runner, ask = None, gate.can_use_tool
    if hooks.events and not untrusted and not ext.hooks.config.disabled:  # disableAllHooks
        runner = ext.hooks.with_config(frontmatter_hooks.merged(ext.hooks.config, hooks))
        ask = own_permission_hooks(ask, ext.hooks.with_config(hooks), note)
    scope = SubagentScope(mode, child_gate(gate, mode, ask), ext.for_subagent(runner))
    scope.tools = _named_tools(definition, ext, parent_tools, note)
    inline = _inline(definition, untrusted, note, ext.environ or dict(os.environ))
    servers = None
    if inline.servers:
        servers = McpServers(inline, project=ext.project, on_problem=note)
        await servers.start()
        scope.tools += servers.tools()
    try:
        yield scope
    finally:
        if servers is not None:
            await servers.aclose()


def _named_tools(
    definition: AgentDefinition,
    ext: Extensions,
    parent_tools: dict[str, Tool],
    note: Callable[[str], None],
) -> list[Tool]:
    """The tools of the configured servers the definition names (shared connections)."""
    found: list[Tool] = []
    for name in (e for e in definition.mcp_servers if isinstance(e, str)):
        tools = [
            t
            for t in parent_tools.values()
            if isinstance(t, McpTool) and t.connection.server.name == name
        ]
        configured = ext.mcp is not None and name in ext.mcp.config.servers
        if not tools:
            why = "has no tools (it is not connected)" if configured else "is not configured"
            note(f"MCP server {name!r} {why}")
        found += tools
    return found


def _inline(
    definition: AgentDefinition,
    untrusted: bool,
    note: Callable[[str], None],
    environ: dict[str, str],
) -> McpConfig:
    config = McpConfig()
    entries = [e for e in definition.mcp_servers if isinstance(e, dict)]
    if entries and untrusted:
        note("its inline MCP servers do not start until the folder is trusted")
        return config
    for entry in entries:
        for name, data in entry.items():
            server, problem = parse_server(name, data, "agent", environ)
            if server is None:
                note(f"{definition.path or 'definition'}: {problem}")
            else:
                config.servers[name] = server
    return config
