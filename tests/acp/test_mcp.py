"""MCP servers the client passes in session/new: started for the session, their tools asked
about through the client like any tool."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from lsp_agent.testing.fake_anthropic import FakeAnthropic
from tests.acp.client import choose
from tests.acp.conftest import Start

DEMO_SERVER = Path(__file__).parent.parent / "compat" / "mcp_demo_server.py"
SCENARIO = {
    "responses": [
        {"content": [{"type": "tool_use", "name": "mcp__demo__shout", "input": {"text": "hi"}}]},
        {"content": [{"type": "text", "text": "The server shouted."}]},
    ]
}


async def test_client_stdio_mcp_server_serves_the_session(start: Start, workspace: Path) -> None:
    demo = {
        "name": "demo",
        "command": sys.executable,
        "args": [str(DEMO_SERVER)],
        "env": [{"name": "GREETING", "value": "well, "}],
    }
    async with FakeAnthropic(SCENARIO) as server:
        client = await start(server)
        client.handlers["session/request_permission"] = choose("allow_once")
        session = await client.new_session(workspace, mcpServers=[demo])
        answer = await client.prompt(session, "shout hi")
    assert answer["stopReason"] == "end_turn"
    tools = [t["name"] for t in server.requests[0].body["tools"]]
    assert "mcp__demo__shout" in tools
    [(method, question)] = client.calls
    assert (method, question["toolCall"]["title"]) == (
        "session/request_permission",
        "mcp__demo__shout",
    )
    final = client.kinds("tool_call_update")[-1]
    assert (final["status"], final["content"][-1]["content"]["text"]) == ("completed", "well, HI")


async def test_an_enabled_plugin_brings_its_server_and_commands(
    start: Start, workspace: Path, acp_env: dict[str, str]
) -> None:
    """The user's settings enable a plugin of a local marketplace: its MCP server runs for the
    session (with CLAUDE_PLUGIN_ROOT) and its commands are offered to the client."""
    market = Path(__file__).parent.parent / "compat" / "plugin_fixtures" / "team-marketplace"
    settings = {
        "extraKnownMarketplaces": {
            "team": {"source": {"source": "directory", "path": str(market)}}
        },
        "enabledPlugins": {"guard@team": True, "review-kit@team": True},
    }
    user = Path(acp_env["HOME"]) / ".claude"
    user.mkdir(parents=True, exist_ok=True)
    (user / "settings.json").write_text(json.dumps(settings))
    scenario = {
        "responses": [
            {
                "content": [
                    {
                        "type": "tool_use",
                        "name": "mcp__plugin_guard_calc__add",
                        "input": {"a": 40, "b": 2},
                    }
                ]
            },
            {"content": [{"type": "text", "text": "42."}]},
        ]
    }
    async with FakeAnthropic(scenario) as server:
        client = await start(server, LSP_AGENT_TEST_PYTHON=sys.executable)
        client.handlers["session/request_permission"] = choose("allow_once")
        session = await client.new_session(workspace)
        answer = await client.prompt(session, "add")
    assert answer["stopReason"] == "end_turn"
    final = client.kinds("tool_call_update")[-1]
    assert (final["status"], final["content"][-1]["content"]["text"]) == ("completed", "42")
    offered = [
        c["name"] for u in client.kinds("available_commands_update") for c in u["availableCommands"]
    ]
    assert "review-kit:check" in offered


async def test_an_untrusted_folder_cannot_start_its_own_mcp_servers(
    start: Start, workspace: Path
) -> None:
    """A cloned folder enabling its own `.mcp.json` server: nothing of it runs in an ACP session
    until the user trusts the folder."""
    servers = {"demo": {"command": sys.executable, "args": [str(DEMO_SERVER)]}}
    (workspace / ".mcp.json").write_text(json.dumps({"mcpServers": servers}))
    (workspace / ".claude").mkdir()
    (workspace / ".claude" / "settings.json").write_text(
        json.dumps({"enableAllProjectMcpServers": True})
    )
    scenario = {"responses": [{"content": [{"type": "text", "text": "Hello."}]}]}
    async with FakeAnthropic(scenario) as server:
        client = await start(server)
        session = await client.new_session(workspace)
        await client.prompt(session, "hi")
    tools = [t["name"] for t in server.requests[0].body["tools"]]
    assert not [t for t in tools if t.startswith("mcp__demo")]


async def test_plugin_dir_flag(start: Start, workspace: Path) -> None:
    kit = Path(__file__).parent.parent / "compat" / "plugin_fixtures" / "team-marketplace"
    scenario = {"responses": [{"content": [{"type": "text", "text": "Hello."}]}]}
    async with FakeAnthropic(scenario) as server:
        client = await start(server, "--plugin-dir", str(kit / "plugins" / "review-kit"))
        session = await client.new_session(workspace)
        await client.prompt(session, "hi")
    offered = [
        c["name"] for u in client.kinds("available_commands_update") for c in u["availableCommands"]
    ]
    assert "review-kit:check" in offered
