"""Compat tests run in a temp project with their own HOME and data directory, so the
developer's ~/.claude never leaks in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lsp_agent.agent.disk import DiskDocumentSource, DiskEditSink
from lsp_agent.agent.ports import CancelToken
from lsp_agent.agent.tools.base import ToolContext


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    monkeypatch.setenv("HOME", str(path))
    monkeypatch.setenv("LSP_AGENT_DATA_DIR", str(tmp_path / "data"))
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    return root.resolve()


@pytest.fixture
def ctx(project: Path) -> ToolContext:
    return ToolContext(
        project, [project], DiskDocumentSource(), DiskEditSink(), CancelToken(), tool_use_id="t1"
    )


def write_tree(root: Path, files: dict[str, str]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")


def write_json(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path
