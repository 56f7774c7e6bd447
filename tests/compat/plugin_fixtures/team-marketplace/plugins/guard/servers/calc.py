"""A plugin's MCP server (stdio), built with the SDK."""

import os

from mcp.server.mcpserver import MCPServer

app = MCPServer("calc")


@app.tool()
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


@app.tool()
def root() -> str:
    """The CLAUDE_PLUGIN_ROOT the server was started with."""
    return os.environ.get("CLAUDE_PLUGIN_ROOT", "")


if __name__ == "__main__":
    app.run()
