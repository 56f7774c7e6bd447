"""The tools a headless run gets. Prefers the tools engineer's registry; until it lands, the
tool classes are listed here directly (a stop-gap, see docs/agent.md)."""

from __future__ import annotations

from typing import cast

from lsp_agent.agent.tools.base import Tool


def engine_tools() -> list[Tool]:
    try:
        from lsp_agent.agent.tools.registry import default_tools
    except ImportError:
        return _known_tools()
    return list(default_tools())


def _known_tools() -> list[Tool]:
    from lsp_agent.agent.tools.bash import Bash
    from lsp_agent.agent.tools.listing import LS, Glob
    from lsp_agent.agent.tools.read import Read
    from lsp_agent.agent.tools.write import Edit, MultiEdit, Write

    # The tool classes declare name/description as ClassVars; structurally they are Tools.
    return cast(list[Tool], [Read(), Write(), Edit(), MultiEdit(), Glob(), LS(), Bash()])
