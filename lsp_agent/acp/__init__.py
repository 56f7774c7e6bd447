"""The Agent Client Protocol front end (`lsp-agent acp`): the engine for ACP clients.

`agent.py` answers the protocol's requests, `build.py` assembles a session's agent, `session.py`
runs its prompts, `translator.py` turns engine events into `session/update`s, `permissions.py`
and `ports.py` are the engine's ports as the client provides them, `replay.py` shows a loaded
session's history. Only this package imports the ACP SDK; it never imports pygls or lsprotocol.
"""
