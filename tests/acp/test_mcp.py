"""MCP servers the client passes in session/new: started for the session, their tools asked
about through the client like any tool."""

from __future__ import annotations

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
