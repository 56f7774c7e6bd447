"""A session's agent, from the one assembly with the ACP client's ports."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from acp import RequestError, schema

from lsp_agent.acp.permissions import ClientPermissions
from lsp_agent.acp.ports import ClientEditSink
from lsp_agent.acp.reads import FILE_TOOLS, ClientDocuments, ClientReadTool
from lsp_agent.acp.session import Session, SessionUpdates
from lsp_agent.settings import Settings

if TYPE_CHECKING:
    from lsp_agent.agent.claude.plugins import PluginSet

log = logging.getLogger(__name__)


async def build_session(
    settings: Settings,
    conn: Any,
    caps: schema.ClientCapabilities,
    environ: Mapping[str, str],
    *,
    cwd: Path,
    add_dirs: list[Path],
    resume: str | None,
    mcp_servers: list[Any] | None = None,
) -> Session:
    from indexer.multiroot import OnDemandIndex

    from lsp_agent.agent.assembly import Host, build_agent
    from lsp_agent.agent.claude.extensions import Extensions
    from lsp_agent.agent.disk import DiskDocumentSource
    from lsp_agent.agent.tools.base import Tool
    from lsp_agent.agent.transcript import SessionNotFound, new_session
    from lsp_agent.cli_index import open_index

    transcript = new_session(cwd, settings.model) if resume is None else None
    session_id = resume or (transcript.session_id if transcript else "")
    session = Session(session_id, cwd, SessionUpdates(session_id, conn.session_update))
    writes = caps.fs is not None and bool(caps.fs.write_text_file)
    reads = caps.fs is not None and bool(caps.fs.read_text_file)
    documents = ClientDocuments(conn, session_id) if reads else None
    # Hooks, commands, skills, subagents and approved MCP servers from `.claude/`, as in ask,
    # and the servers the client passed (the user's choice in the client: no approval asked).
    trusted = folder_trusted(cwd)
    extensions = await Extensions.load(
        cwd,
        trusted=trusted,
        on_problem=log.warning,
        mcp=False,
        environ=dict(environ),
        plugin_dirs=[Path(d).expanduser().resolve() for d in settings.plugins.dirs],
        plugin_origin="plugins.dirs",
    )
    extensions.mcp = await start_mcp(
        cwd, client_servers(mcp_servers or []), extensions.plugins, dict(environ), trusted=trusted
    )
    session.extensions = extensions
    # The symbol tools' index over the roots, opened only if a symbol tool runs (as in ask).
    index = OnDemandIndex([cwd, *add_dirs], open_index) if settings.index.enabled else None
    session.index = index
    host = Host(
        documents=documents or DiskDocumentSource(),
        edits=ClientEditSink(conn if writes else None, session_id, session.show_diff, documents),
        on_event=session.on_event,
        can_use_tool=ClientPermissions(
            conn, session_id, settings.permissionPromptTimeout, lambda: session.asking
        ),
        extensions=extensions,
        index=index,
        environ=environ,
        transcript=transcript,
    )
    try:
        session.agent = build_agent(
            settings, host, cwd=cwd, add_dirs=add_dirs, resume=resume, trusted=trusted
        )
    except SessionNotFound as exc:
        await session.close()
        raise RequestError.resource_not_found(str(exc)) from exc
    session.mode = session.agent.options.permission_mode
    if documents is not None:  # file tools read the client's buffers first
        tools = session.agent.tools
        for name in FILE_TOOLS.keys() & tools.keys():
            tools[name] = cast(Tool, ClientReadTool(tools[name], documents))
    if caps.terminal and "Bash" in session.agent.tools:  # Bash hidden by a rule stays hidden
        from lsp_agent.acp.terminal import TerminalBash

        # Declared as ClassVars like every built-in tool: structurally a Tool (registry.py).
        bash = TerminalBash(conn, session_id, session.show_terminal)
        session.agent.tools["Bash"] = cast(Tool, bash)
    return session


def commands_update(rows: list[dict[str, str]]) -> schema.AvailableCommandsUpdate:
    commands = [
        schema.AvailableCommand(
            name=row["name"],
            description=row.get("description") or row["name"],
            input=schema.AvailableCommandInput(
                root=schema.UnstructuredCommandInput(hint=row["argumentHint"])
            )
            if row.get("argumentHint")
            else None,
        )
        for row in rows
    ]
    return schema.AvailableCommandsUpdate(
        session_update="available_commands_update", available_commands=commands
    )


def client_servers(servers: list[Any]) -> dict[str, Any]:
    """The client's MCP servers as an `mcpServers` entry of Claude Code's settings."""
    found: dict[str, Any] = {}
    for server in servers:
        if isinstance(server, schema.McpServerStdio):
            env = {v.name: v.value for v in server.env}
            found[server.name] = {"command": server.command, "args": server.args, "env": env}
        elif isinstance(server, schema.HttpMcpServer | schema.SseMcpServer):
            headers = {h.name: h.value for h in server.headers}
            found[server.name] = {"type": server.type, "url": server.url, "headers": headers}
    return found


async def start_mcp(
    cwd: Path,
    extra: dict[str, Any],
    plugins: PluginSet | None = None,
    environ: dict[str, str] | None = None,
    *,
    trusted: bool = False,
) -> Any:
    from lsp_agent.agent.claude.mcp_config import load_mcp_config
    from lsp_agent.agent.claude.mcp_servers import McpServers
    from lsp_agent.agent.claude.plugins.parts import add_mcp_servers

    # An untrusted folder's `.mcp.json` and the switches enabling it count for nothing.
    config = load_mcp_config(cwd, extra=extra, trusted=trusted)
    servers = McpServers(config, project=cwd, on_problem=log.warning)
    if plugins is not None:  # the enabled plugins' servers (claude/plugins/)
        add_mcp_servers(plugins, servers.config, environ if environ is not None else {})
    for problem in servers.config.problems:
        log.warning(problem)
    await servers.start()
    return servers


def folder_trusted(cwd: Path) -> bool:
    """An ACP client opens folders as casually as an editor does, and there is no prompt to ask
    with before a session exists: the folder's own hooks, allow rules and MCP servers take
    effect only once the user has trusted it (in the editor, or `lsp-agent trust`)."""
    from lsp_agent.agent.claude.trust import TrustStore, supplied

    if TrustStore().get(cwd, supplied(cwd).fingerprint()) == "trusted":
        return True
    log.warning("%s is not trusted: its own .claude/ settings that run code do not apply", cwd)
    return False
