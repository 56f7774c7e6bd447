"""Hard links: a workspace file that is also a file outside the workspace (link count > 1) is
never edited through the agent without saying so: the edit is refused with the reason, in the
editor and headless, and the outside file is untouched. A file with one name edits as usual."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from lsp_agent.testing.fake_anthropic import fake_anthropic_process
from tests.e2e.agent_harness import HELLO, StartAgent, read_then_edit


async def _edit_in_editor(start_agent: StartAgent, workspace: Path) -> dict[str, Any]:
    """Read then Edit hello.py through the server (acceptEdits); the Edit's tool result."""
    h = await start_agent(
        read_then_edit("hello", "goodbye"), init_options={"permissionMode": "acceptEdits"}
    )
    uri = h.editor.open(workspace / "hello.py")
    started = await h.command("lspAgent.ask", {"uri": uri, "prompt": "change it"})
    await h.editor.done(started["sessionId"])
    [_, edit] = h.tool_results()
    shown = [e for e in h.editor.stream if e["kind"] == "tool_result" and e["isError"]]
    proposals = [e for e in h.editor.stream if e["kind"] == "proposal"]
    return {**edit, "shown": shown, "proposals": proposals}


def _hard_link_outside(workspace: Path, tmp_path: Path) -> Path:
    outside = tmp_path / "outside" / "shared.py"
    outside.parent.mkdir()
    outside.write_text(HELLO)
    os.link(outside, workspace / "hello.py")
    return outside


async def test_an_edit_through_a_hard_link_is_refused_in_the_editor(
    start_agent: StartAgent, workspace: Path, tmp_path: Path
) -> None:
    outside = _hard_link_outside(workspace, tmp_path)
    edit = await _edit_in_editor(start_agent, workspace)
    assert edit["is_error"] is True
    assert "2 hard links" in edit["content"] and "Not edited" in edit["content"]
    assert outside.read_text() == HELLO == (workspace / "hello.py").read_text()
    assert not edit["proposals"]
    # The refusal is shown in the editor too, not only told to the model.
    assert edit["shown"] and "hard links" in edit["shown"][0]["content"]


async def test_an_edit_through_a_hard_link_is_refused_headless(
    workspace: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    outside = _hard_link_outside(workspace, tmp_path)
    scenario = {"responses": read_then_edit("hello", "goodbye")}
    command = [sys.executable, "-m", "lsp_agent", "ask", "--cwd", str(workspace)]
    command += ["--permission-mode", "acceptEdits", "--output-format", "stream-json", "change it"]
    with fake_anthropic_process(scenario, variables={"cwd": str(workspace)}) as base_url:
        done = subprocess.run(
            command,
            env={**env, "ANTHROPIC_BASE_URL": base_url, "ANTHROPIC_API_KEY": "sk-test-key"},
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 0, done.stderr
    assert "2 hard links" in done.stdout
    assert outside.read_text() == HELLO == (workspace / "hello.py").read_text()
    assert os.stat(outside).st_nlink == 2  # not split either


async def test_a_file_with_one_name_edits_as_usual(
    start_agent: StartAgent, workspace: Path
) -> None:
    (workspace / "hello.py").write_text(HELLO)
    edit = await _edit_in_editor(start_agent, workspace)
    assert not edit.get("is_error") and edit["proposals"]
