"""Shared test setup: every test runs with its own HOME, cache and data directories, and
without the developer's API credentials."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def isolated_env(base: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ANTHROPIC_", "LSP_AGENT_", "CLAUDE_"))
    }
    for name in ("home", "cache", "data"):
        (base / name).mkdir(parents=True, exist_ok=True)
    env.update(
        HOME=str(base / "home"),
        LSP_AGENT_CACHE_DIR=str(base / "cache"),
        LSP_AGENT_DATA_DIR=str(base / "data"),
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return isolated_env(tmp_path / "env")
