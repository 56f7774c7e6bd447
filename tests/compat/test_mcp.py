"""MCP servers: configuration files, approvals, and real servers over stdio and HTTP."""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from lsp_agent.agent.claude.mcp_config import Approvals, McpServerConfig, load_mcp_config
from lsp_agent.agent.claude.mcp_servers import McpServers, McpTool
from lsp_agent.agent.tools.base import ToolContext
from tests.compat.conftest import write_json

DEMO = str(Path(__file__).with_name("mcp_demo_server.py"))
CRASH_AT_START = "import sys; sys.stderr.write('missing API token\\n'); sys.exit(1)"


def demo(**extra: Any) -> dict[str, Any]:
    return {"command": sys.executable, "args": [DEMO], **extra}


def test_config_sources_precedence_and_expansion(project: Path, home: Path) -> None:
    write_json(
        project / ".mcp.json",
        {
            "mcpServers": {
                "demo": demo(env={"GREETING": "${GREETING:-hi }", "TOKEN": "${TOKEN}"}),
                "web": {
                    "type": "http",
                    "url": "${BASE:-http://localhost:1}/mcp",
                    "headers": {"Authorization": "Bearer ${TOKEN}"},
                },
                "needs": {"command": "x", "args": ["${NOT_SET}"]},
                "odd": {"type": "websocket", "url": "ws://x"},
            }
        },
    )
    write_json(
        home / ".claude.json",
        {
            "mcpServers": {"web": {"command": "user-web"}, "mine": {"command": "mine"}},
            "projects": {str(project): {"mcpServers": {"demo": {"command": "local-demo"}}}},
        },
    )
    config = load_mcp_config(project, environ={"TOKEN": "t0k"})
    servers = config.servers
    assert sorted(servers) == ["demo", "mine", "web"]
    assert (servers["demo"].scope, servers["demo"].command) == ("local", "local-demo")
    web = servers["web"]
    assert (web.scope, web.transport, web.url) == ("project", "http", "http://localhost:1/mcp")
    assert web.headers == {"Authorization": "Bearer t0k"}
    assert servers["mine"].scope == "user"
    assert sorted(config.problems) == [
        "MCP server 'needs': environment variable(s) NOT_SET not set",
        "MCP server 'odd': unsupported type 'websocket'",
    ]


class Approver:
    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.asked: list[str] = []

    async def __call__(self, server: McpServerConfig) -> bool:
        self.asked.append(server.name)
        return self.answer


@pytest.fixture
async def closing() -> AsyncIterator[list[McpServers]]:
    opened: list[McpServers] = []
    yield opened
    for servers in opened:
        await servers.aclose()


async def start(project: Path, closing: list[McpServers], **kwargs: Any) -> McpServers:
    servers = McpServers.for_project(project, **kwargs)
    closing.append(servers)
    await servers.start()
    return servers


def by_name(servers: McpServers) -> dict[str, McpTool]:
    return {tool.name: tool for tool in servers.tools()}


async def test_project_servers_need_approval_once(project: Path, closing: list[McpServers]) -> None:
    write_json(project / ".mcp.json", {"mcpServers": {"demo": demo()}})
    unattended = await start(project, closing)
    assert [s.state for s in unattended.status()] == ["needs-approval"]
    assert "enabledMcpjsonServers" in unattended.problems[0]
    assert unattended.tools() == []

    approver = Approver(True)
    first = await start(project, closing, approve=approver)
    assert "mcp__demo__add" in by_name(first)
    again = Approver(True)
    second = await start(project, closing, approve=again)
    assert (approver.asked, again.asked) == (["demo"], [])
    assert [s.state for s in second.status()] == ["connected"]

    # A changed command is a different server: asked again; a "no" is remembered too.
    write_json(project / ".mcp.json", {"mcpServers": {"demo": demo(env={"X": "1"})}})
    no = Approver(False)
    declined = await start(project, closing, approve=no)
    assert no.asked == ["demo"] and [s.state for s in declined.status()] == ["declined"]
    assert Approvals().get(project, declined.config.servers["demo"]) is False


async def test_settings_enable_project_servers(project: Path, closing: list[McpServers]) -> None:
    write_json(project / ".mcp.json", {"mcpServers": {"demo": demo(), "other": demo()}})
    write_json(
        project / ".claude/settings.json",
        {"enabledMcpjsonServers": ["demo"], "disabledMcpjsonServers": ["other"]},
    )
    servers = await start(project, closing, approve=Approver(False))
    assert {s.name: s.state for s in servers.status()} == {
        "demo": "connected",
        "other": "disabled",
    }


async def test_stdio_server_tools(
    project: Path,
    home: Path,
    closing: list[McpServers],
    ctx: ToolContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write_json(home / ".claude.json", {"mcpServers": {"demo": demo(env={"GREETING": "hey "})}})
    servers = await start(project, closing)
    tools = by_name(servers)
    assert sorted(tools) == [
        f"mcp__demo__{n}" for n in ("add", "big", "crash", "echo", "fail", "shout")
    ]
    add = tools["mcp__demo__add"]
    assert add.description == "Add two numbers."
    assert add.input_schema["required"] == ["a", "b"]

    result = await add.run({"a": 2, "b": 40}, ctx)
    assert (result.content, result.is_error) == ("42", False)
    shout = await tools["mcp__demo__shout"].run({"text": "abc"}, ctx)
    assert shout.content == "hey ABC"
    failed = await tools["mcp__demo__fail"].run({}, ctx)
    assert failed.is_error

    monkeypatch.setenv("MAX_MCP_OUTPUT_TOKENS", "10")
    big = await tools["mcp__demo__big"].run({"n": 100}, ctx)
    assert big.content == "x" * 40 + (
        "\n[output truncated: 60 more characters; MCP output is limited by MAX_MCP_OUTPUT_TOKENS]"
    )


async def test_failing_and_dying_servers_are_reported(
    project: Path, home: Path, closing: list[McpServers], ctx: ToolContext
) -> None:
    write_json(
        home / ".claude.json",
        {
            "mcpServers": {
                "broken": {"command": sys.executable, "args": ["-c", CRASH_AT_START]},
                "missing": {"command": str(project / "no-such-server")},
                "demo": demo(),
            }
        },
    )
    reported: list[str] = []
    servers = await start(project, closing, on_problem=reported.append)
    status = {s.name: s for s in servers.status()}
    assert status["broken"].state == "failed" and "missing API token" in status["broken"].error
    assert status["missing"].state == "failed"
    assert status["demo"].state == "connected"
    assert len(reported) == 2

    tools = by_name(servers)
    crashed = await tools["mcp__demo__crash"].run({}, ctx)
    assert crashed.is_error
    after = await tools["mcp__demo__add"].run({"a": 1, "b": 1}, ctx)
    assert after.is_error and "is not running: the server exited" in str(after.content)
    assert "crashing on purpose" in {s.name: s for s in servers.status()}["demo"].error
    assert len(reported) == 3


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_streamable_http_server(
    project: Path, closing: list[McpServers], ctx: ToolContext
) -> None:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, DEMO, "http", str(port), stderr=asyncio.subprocess.PIPE
    )
    try:
        assert process.stderr is not None
        while b"Uvicorn running" not in (line := await process.stderr.readline()):
            assert line, "the HTTP MCP server exited before listening"
        url = f"http://127.0.0.1:{port}/mcp"
        write_json(project / ".mcp.json", {"mcpServers": {"web": {"type": "http", "url": url}}})
        servers = await start(project, closing, approve=Approver(True))
        result = await by_name(servers)["mcp__web__add"].run({"a": 1, "b": 2}, ctx)
        assert result.content == "3"
    finally:
        process.kill()
        await process.wait()


async def test_a_server_that_never_answers_is_given_up(
    project: Path, home: Path, closing: list[McpServers], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MCP_TIMEOUT", "1000")
    silent = {"command": sys.executable, "args": ["-c", "import time; time.sleep(600)"]}
    write_json(home / ".claude.json", {"mcpServers": {"silent": silent}})
    servers = await start(project, closing)
    [status] = servers.status()
    assert (status.state, status.error) == ("failed", "did not start within 1 s")
