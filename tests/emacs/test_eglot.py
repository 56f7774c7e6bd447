"""Plain LSP in Emacs 28 + eglot (Debian emacs-nox, elpa-eglot), batch mode: code actions, an
Apply/Reject prompt before the edit, the edit in the buffer, the outcome as a message."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lsp_agent.testing.fake_anthropic import fake_anthropic_process

HERE = Path(__file__).parent

SCENARIO = {
    "responses": [
        {
            "content": [
                {"type": "tool_use", "name": "Read", "input": {"file_path": "{cwd}/calc.py"}}
            ]
        },
        {
            "content": [
                {
                    "type": "tool_use",
                    "name": "Edit",
                    "input": {
                        "file_path": "{cwd}/calc.py",
                        "old_string": "def add(a, b):",
                        "new_string": "def add(a: int, b: int) -> int:",
                    },
                }
            ]
        },
        {"content": [{"type": "text", "text": "Typed add."}]},
    ]
}
CALC = "def add(a, b):\n    return a + b\n"


def test_eglot_code_actions_prompt_and_edit(env: dict[str, str], tmp_path: Path) -> None:
    emacs = shutil.which("emacs")
    if emacs is None:
        pytest.fail("emacs not found: run scripts/install-emacs.sh")
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "calc.py").write_text(CALC)
    with fake_anthropic_process(SCENARIO, {"cwd": str(workspace)}) as base_url:
        result = subprocess.run(
            # -q, not -Q: -Q would skip Debian's site-lisp, where elpa-eglot lives.
            [emacs, "--batch", "-q", "-l", str(HERE / "eglot_test.el")],
            capture_output=True,
            text=True,
            timeout=120,
            env={
                **env,
                "ANTHROPIC_BASE_URL": base_url,
                "ANTHROPIC_API_KEY": "sk-test",
                "LSP_AGENT_CMD": json.dumps([sys.executable, "-m", "lsp_agent", "serve"]),
                "WORKSPACE": str(workspace),
            },
        )
    assert result.returncode == 0, result.stderr
    # The edit went to the buffer; the file is the user's to save.
    assert (workspace / "calc.py").read_text() == CALC
