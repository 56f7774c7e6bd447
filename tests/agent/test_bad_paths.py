"""Bad paths are tool errors: a NUL byte (or another path the OS cannot take) in any tool's
input comes back to the model as an `is_error` result, and the run goes on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.agent.conftest import run_scenario

NUL = "{cwd}/bad\u0000name.py"
CALLS = [
    ("Read", {"file_path": NUL}),
    ("Write", {"file_path": NUL, "content": "x"}),
    ("Edit", {"file_path": NUL, "old_string": "a", "new_string": "b"}),
    ("MultiEdit", {"file_path": NUL, "edits": [{"old_string": "a", "new_string": "b"}]}),
    ("LS", {"path": NUL}),
    ("Glob", {"pattern": "*.py", "path": NUL}),
    ("Glob", {"pattern": "bad\u0000*.py"}),
    ("Grep", {"pattern": "x", "path": NUL}),
    ("Grep", {"pattern": "x", "glob": "*\u0000.py"}),
    ("Bash", {"command": "cd '{cwd}/a\u0000b' && ls"}),
    ("NotebookEdit", {"notebook_path": NUL, "new_source": "x"}),
    ("Read", {"file_path": "{cwd}/" + "x" * 5000}),
]


@pytest.mark.parametrize(("tool", "tool_input"), CALLS, ids=[c[0] for c in CALLS])
@pytest.mark.parametrize("mode", ["default", "acceptEdits"])
async def test_a_bad_path_is_an_error_result_and_the_run_goes_on(
    workspace: Path, tool: str, tool_input: dict[str, Any], mode: str
) -> None:
    scenario = {
        "responses": [
            {"content": [{"type": "tool_use", "name": tool, "input": tool_input}]},
            {"content": [{"type": "text", "text": "carried on"}]},
        ]
    }
    run = await run_scenario(scenario, workspace, permission_mode=mode)
    assert run.result.subtype == "success" and run.result.result == "carried on"
    [result] = run.tool_results()
    assert result["is_error"], result
    assert "Traceback" not in result["content"]
