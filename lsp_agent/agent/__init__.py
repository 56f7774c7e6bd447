"""The agent engine: model client, stream reducer, tool loop, tools, permissions, sessions.

Architecture invariant: nothing under `lsp_agent/agent/` imports pygls or lsprotocol. The LSP
layer talks to the engine only through the ports in `lsp_agent.agent.ports`.
"""
