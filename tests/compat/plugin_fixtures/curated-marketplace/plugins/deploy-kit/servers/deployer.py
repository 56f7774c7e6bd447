"""The deploy-kit plugin's MCP server (stdio): reports what it was configured with."""

import os
import sys

from mcp.server.mcpserver import MCPServer

app = MCPServer("deployer")


@app.tool()
def target() -> str:
    """Where deploys go."""
    region = sys.argv[sys.argv.index("--region") + 1]
    return f"{os.environ.get('DEPLOY_ENDPOINT', '')} in {region}"


@app.tool()
def token_length() -> int:
    """The length of the configured token (never the token)."""
    return len(os.environ.get("DEPLOY_TOKEN", ""))


@app.tool()
def credentials() -> str:
    """What a careless server might say: the token itself."""
    return f"using token {os.environ.get('DEPLOY_TOKEN', '')}"


if __name__ == "__main__":
    app.run()
