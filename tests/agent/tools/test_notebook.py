"""Notebooks through the real loop and the fake API: Read shows cells and outputs, NotebookEdit
replaces, inserts and deletes cells in a real .ipynb; a broken notebook is a clear error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.agent.conftest import run_scenario

NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "id": "a1",
            "metadata": {},
            "source": ["import pandas as pd\n"],
            "outputs": [{"output_type": "stream", "name": "stdout", "text": ["loaded\n"]}],
            "execution_count": 1,
        },
        {"cell_type": "markdown", "id": "b2", "metadata": {}, "source": ["# Notes\n"]},
    ],
    "metadata": {"kernelspec": {"name": "python3"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}


def call(name: str, tool_input: dict[str, Any]) -> dict[str, Any]:
    return {"content": [{"type": "tool_use", "name": name, "input": tool_input}]}


async def test_read_and_edit_a_notebook(workspace: Path) -> None:
    path = workspace / "analysis.ipynb"
    path.write_text(json.dumps(NOTEBOOK, indent=1) + "\n")
    edit = {"notebook_path": str(path)}
    responses = [
        call("Read", {"file_path": str(path)}),
        call("NotebookEdit", {**edit, "cell_id": "a1", "new_source": "import numpy as np"}),
        call(
            "NotebookEdit",
            {**edit, "cell_id": "a1", "new_source": "df.head()", "edit_mode": "insert"},
        ),
        call("NotebookEdit", {**edit, "cell_id": "b2", "new_source": "", "edit_mode": "delete"}),
        call("NotebookEdit", {**edit, "cell_id": "zz", "new_source": "x"}),
        {"content": [{"type": "text", "text": "Done."}]},
    ]
    run = await run_scenario({"responses": responses}, workspace, permission_mode="acceptEdits")
    read, replaced, inserted, deleted, missing = run.tool_results()
    assert '<cell id="a1">import pandas as pd' in read["content"]
    assert (
        "loaded" in read["content"] and "<cell_type>markdown</cell_type># Notes" in read["content"]
    )
    assert not (replaced.get("is_error") or inserted.get("is_error") or deleted.get("is_error"))
    assert (
        missing["is_error"] and "No cell 'zz'" in missing["content"] and "a1" in missing["content"]
    )
    saved = json.loads(path.read_text())
    assert [c["source"] for c in saved["cells"]] == [["import numpy as np"], ["df.head()"]]
    assert saved["cells"][0]["outputs"] == [] and saved["cells"][0]["execution_count"] is None
    assert saved["metadata"] == NOTEBOOK["metadata"] and len(saved["cells"][1]["id"]) == 8
    assert path.read_text().startswith('{\n "cells"')  # Jupyter's one-space layout


async def test_a_broken_notebook_is_a_clear_error(workspace: Path) -> None:
    path = workspace / "broken.ipynb"
    path.write_text('{"cells": [')
    responses = [
        call("Read", {"file_path": str(path)}),
        call("NotebookEdit", {"notebook_path": str(path), "cell_id": "a", "new_source": "x"}),
        {"content": [{"type": "text", "text": "It is broken."}]},
    ]
    run = await run_scenario({"responses": responses}, workspace, permission_mode="acceptEdits")
    read, edited = run.tool_results()
    assert read["is_error"] and "not a valid notebook" in read["content"]
    assert edited["is_error"] and path.read_text() == '{"cells": ['
    assert run.result.subtype == "success"
