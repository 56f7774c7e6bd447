"""The LSP layer: the only code that imports pygls and lsprotocol.

It converts LSP <-> plain values and owns documents, versions, progress and prompts; the engine
(`lsp_agent.agent`) and the index (`indexer`) never see a protocol type.
"""
