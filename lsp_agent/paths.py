"""Where lsp-agent keeps its cache (the symbol index) and data (session transcripts)."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "lsp-agent"


def cache_dir() -> Path:
    """The index cache; `LSP_AGENT_CACHE_DIR` overrides the platform's user cache directory."""
    override = os.environ.get("LSP_AGENT_CACHE_DIR")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def data_dir() -> Path:
    """Sessions and other user data; `LSP_AGENT_DATA_DIR` overrides the platform's data dir."""
    override = os.environ.get("LSP_AGENT_DATA_DIR")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
