"""The tools a run gets: the built-in tools of the registry (plus the index-backed ones when the
host has a symbol index). Hosts call this rather than the registry so they share one choice."""

from __future__ import annotations

from typing import Any

from lsp_agent.agent.tools.base import Tool


def engine_tools(index: Any = None) -> list[Tool]:
    from lsp_agent.agent.tools.registry import default_tools

    return default_tools(index)
