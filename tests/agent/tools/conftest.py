"""A real temp workspace and a ToolContext over it, with the headless disk ports."""

from __future__ import annotations

from pathlib import Path

import pytest

from lsp_agent.agent.disk import DiskDocumentSource, DiskEditSink
from lsp_agent.agent.ports import CancelToken
from lsp_agent.agent.tools.base import ToolContext


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    return root.resolve()


@pytest.fixture
def ctx(workspace: Path) -> ToolContext:
    return ToolContext(
        cwd=workspace,
        roots=[workspace],
        documents=DiskDocumentSource(),
        edits=DiskEditSink(),
        cancel=CancelToken(),
    )


def write_tree(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
