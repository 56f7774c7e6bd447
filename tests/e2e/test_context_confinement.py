"""One confinement: the code-action context (enclosing symbol, definitions used) obeys the same
roots as the tools, so a symlink from the workspace to an outside folder never puts that
folder's source into the prompt."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.agent_harness import StartAgent
from tests.e2e.conftest import wait_for_log

OUTSIDE = 'def outside_helper(outside_param_xyz):\n    return "OUTSIDE-SOURCE"\n'
CALLER = "from lib.helpers import outside_helper\n\n\ndef greet():\n    return outside_helper(1)\n"


async def test_a_symlinked_folders_source_never_reaches_the_model(
    start_agent: StartAgent, workspace: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside" / "lib"
    outside.mkdir(parents=True)
    (outside / "helpers.py").write_text(OUTSIDE)
    (workspace / "lib").symlink_to(outside, target_is_directory=True)
    (workspace / "hello.py").write_text(CALLER)
    ok = {"content": [{"type": "text", "text": "ok"}]}
    h = await start_agent([ok, ok])
    await wait_for_log(h.client, "index ready")
    cursor = {"start": {"line": 4, "character": 8}, "end": {"line": 4, "character": 8}}
    for path in (workspace / "hello.py", workspace / "lib" / "helpers.py"):
        uri = h.editor.open(path)
        at = cursor if path.name == "hello.py" else {**cursor, "start": {"line": 1, "character": 4}}
        at["end"] = at["start"]
        started = await h.command("lspAgent.ask", {"uri": uri, "range": at, "prompt": "explain"})
        assert (await h.editor.done(started["sessionId"]))["subtype"] == "success"
    sent = json.dumps([r.body for r in h.fake.requests])
    assert "greet" in sent  # the workspace's own context is there
    assert "OUTSIDE-SOURCE" not in sent and "outside_param_xyz" not in sent


async def test_a_file_without_a_grammar_gets_no_context_and_no_error(
    start_agent: StartAgent, workspace: Path
) -> None:
    """Asking about a JSON file: the index has no symbols for it, which is no failure to log
    (it logged an ERROR with a traceback at every action)."""
    (workspace / "data.json").write_text('{"a": 1}\n')
    h = await start_agent([{"content": [{"type": "text", "text": "ok"}]}])
    await wait_for_log(h.client, "index ready")
    uri = h.editor.open(workspace / "data.json", language="json")
    at = {"start": {"line": 0, "character": 2}, "end": {"line": 0, "character": 2}}
    started = await h.command("lspAgent.ask", {"uri": uri, "range": at, "prompt": "explain"})
    assert (await h.editor.done(started["sessionId"]))["subtype"] == "success"
    logged = [m.message for m in h.client.log_messages]
    assert not [m for m in logged if "index context failed" in m], logged
