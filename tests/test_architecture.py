"""The invariants of docs/architecture.md, checked: the layer boundaries hold (through the lint
rule CI runs), and the server translates every kind of engine event."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import typing
from pathlib import Path
from typing import Any

import pytest

from lsp_agent.agent import events
from lsp_agent.server.reporter import EditorOutput, StreamReporter

ROOT = Path(__file__).resolve().parent.parent
RUFF = Path(sys.executable).parent / "ruff"


@pytest.mark.parametrize(
    ("path", "source", "banned"),
    [
        ("lsp_agent/agent/loop_x.py", "import pygls\n", True),
        ("lsp_agent/agent/tools/x.py", "from lsprotocol import types\n", True),
        ("lsp_agent/agent/claude/x.py", "from lsp_agent.server import app\n", True),
        ("lsp_agent/cli_x.py", "from lsprotocol import types\n", True),
        ("indexer/x.py", "from lsp_agent import settings\n", True),
        ("indexer/x.py", "import pygls.uris\n", True),
        ("lsp_agent/agent/x.py", "from lsp_agent.acp import agent\n", True),
        ("lsp_agent/agent/model/x.py", "import acp\n", True),
        ("lsp_agent/acp/x.py", "from lsprotocol import types\n", True),
        ("lsp_agent/acp/x.py", "import acp\n", False),
        ("lsp_agent/server/x.py", "from lsprotocol import types\n", False),
        ("lsp_agent/agent/x.py", "from indexer.model import Symbol\n", False),
    ],
)
def test_layer_boundaries_are_enforced_by_the_lint(path: str, source: str, banned: bool) -> None:
    found = subprocess.run(
        [str(RUFF), "check", "--select", "TID251", "--stdin-filename", path, "-"],
        input=source + "\n__all__ = []\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert ("TID251" in found.stdout) is banned, found.stdout + found.stderr


def _example(event_type: type[Any]) -> Any:
    """An instance of `event_type` with plain values for each field."""
    hints = typing.get_type_hints(event_type)
    values: dict[str, Any] = {}
    for field in dataclasses.fields(event_type):
        if field.name == "parent_tool_use_id":
            continue
        hint = str(hints[field.name])
        if "dict" in hint:
            values[field.name] = {}
        elif "bool" in hint:
            values[field.name] = False
        elif "int" in hint or "float" in hint:
            values[field.name] = 1
        else:
            values[field.name] = "/w/x.py" if field.name == "path" else "s"
    return event_type(**values)


def test_every_engine_event_kind_becomes_a_stream_notification() -> None:
    sent: list[dict[str, Any]] = []
    output = EditorOutput(
        notify=lambda method, params: sent.append(params),
        report_progress=lambda token, report: None,
        log=lambda params: None,
        show=lambda params: None,
        version_of=lambda uri: None,
        uri_of=lambda path: "file://" + path,
    )
    reporter = StreamReporter(output, "s", None)
    for event_type in events.EVENT_TYPES:
        before = len(sent)
        reporter(_example(event_type))
        # A streamed delta may be held back while it could be a secret's start ("s" of "sk-"),
        # until the stream ends: end it.
        reporter.flush_text(final=True)
        assert len(sent) > before, f"{event_type.__name__} reached no client"
    kinds = {params["kind"] for params in sent}
    # PermissionAsked and PermissionDecided are one stream kind: a question and its answer.
    assert kinds == set(events.EVENT_KINDS) - {"permission_request"}
