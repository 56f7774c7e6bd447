"""A real MCP server for the tests, built with the SDK.

python mcp_demo_server.py            # stdio
python mcp_demo_server.py http PORT  # streamable HTTP
"""

from __future__ import annotations

import os
import sys

from mcp.server.mcpserver import MCPServer

app = MCPServer("demo")


@app.tool()
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


@app.tool()
def shout(text: str) -> str:
    """Upper-case a text, with the server's GREETING prefix."""
    return os.environ.get("GREETING", "") + text.upper()


@app.tool()
def echo(text: str) -> str:
    """Return the text as it came."""
    return text


@app.tool()
def big(n: int) -> str:
    """Return n characters."""
    return "x" * n


@app.tool()
def fail() -> str:
    """Always fails."""
    raise ValueError("bad thing")


@app.tool()
def crash() -> str:
    """Kills the server."""
    sys.stderr.write("demo server: crashing on purpose\n")
    sys.stderr.flush()
    os._exit(3)


if __name__ == "__main__":
    if sys.argv[1:2] == ["http"]:
        app.run("streamable-http", host="127.0.0.1", port=int(sys.argv[2]))
    else:
        app.run()
