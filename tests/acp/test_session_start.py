"""SessionStart over ACP: session/new (load, resume, fork) is the session's start, so its hooks
run then, before the first prompt, as Claude Code's run at launch."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lsp_agent.testing.fake_anthropic import FakeAnthropic
from tests.acp.conftest import Start, answers
from tests.compat.conftest import write_json
from tests.compat.test_session_start_order import (
    fired,
    first_message,
    prompt_hook,
    script,
    start_hook,
)


async def test_acp_sessions_start_when_opened(
    start: Start, workspace: Path, acp_env: dict[str, str], tmp_path: Path
) -> None:
    """session/new runs SessionStart (the user's hooks: ACP does not trust a folder by itself,
    and the folder's own hooks stay off); its name reaches the client before any prompt, a
    command it installs is offered, and its context goes with the first prompt. A fork starts
    with source `fork` and keeps the session's name."""
    log, marker = tmp_path / "hooks.jsonl", tmp_path / "started"
    user = Path(acp_env["HOME"]) / ".claude"
    command = user / "commands" / "fresh.md"
    command.parent.mkdir(parents=True)
    output = {"additionalContext": "Branch: main", "sessionTitle": "auth work"}
    output["reloadSkills"] = True
    hooks = {
        "SessionStart": [{"hooks": [start_hook(log, marker, output, install=command)]}],
        "UserPromptSubmit": [{"hooks": [prompt_hook(log, marker)]}],
    }
    write_json(user / "settings.json", {"hooks": hooks})
    folders = {"type": "command", "command": f"touch {tmp_path / 'folder-hook-ran'}"}
    write_json(
        workspace / ".claude" / "settings.json",
        {"hooks": {"SessionStart": [{"hooks": [folders]}]}},
    )
    async with FakeAnthropic(answers("Hi.", "Forked.")) as server:
        client = await start(server)
        session = await client.new_session(workspace)
        # Before any prompt: the hook ran, named the session, the commands were offered.
        assert fired(log) == [("SessionStart", "startup")]
        await client.wait_for(lambda: bool(client.kinds("available_commands_update")))
        await client.wait_for(lambda: bool(client.kinds("session_info_update")))
        assert [u["title"] for u in client.kinds("session_info_update")] == ["auth work"]
        offered = client.kinds("available_commands_update")[-1]["availableCommands"]
        assert "fresh" in [c["name"] for c in offered]
        await client.prompt(session, "/fresh the login")
        # The first prompt did not rename it after its own text.
        assert [u["title"] for u in client.kinds("session_info_update")] == ["auth work"]
        params = {"sessionId": session, "cwd": str(workspace), "mcpServers": []}
        fork = (await client.request("session/fork", params))["sessionId"]
        await client.prompt(fork, "and now?")
        listed = await client.request("session/list", {"cwd": str(workspace)})
    assert fired(log) == [
        ("SessionStart", "startup"),
        ("UserPromptSubmit", "Fresh command for the login."),
        ("SessionStart", "fork"),
        ("UserPromptSubmit", "and now?"),
    ]
    inputs = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    assert inputs[2]["session_title"] == "auth work"  # the fork kept the name
    sent = first_message(server.requests[0].body)
    assert "Fresh command for the login." in sent
    assert "set up before: True" in sent and "Branch: main" in sent
    # The fork's own SessionStart context goes with its first prompt.
    assert "Branch: main" in json.dumps(server.requests[1].body["messages"][-1])
    titles = {s["sessionId"]: s.get("title") for s in listed["sessions"]}
    assert titles == {session: "auth work", fork: "auth work"}
    assert not (tmp_path / "folder-hook-ran").exists()  # untrusted: the folder's own never ran
    # A client learns a new session's id from the answer (Zed drops an update for a session it
    # does not know): what the session said while opening comes after it on the wire.
    for opened in (session, fork):
        assert _answered_before_updates(client.raw, opened)


async def test_what_a_session_says_while_opening_follows_its_answer(
    start: Start, workspace: Path, acp_env: dict[str, str]
) -> None:
    """An InstructionsLoaded hook speaks while session/new is still running the SessionStart
    hooks: its message waits for the answer that tells the client the session's id."""
    (workspace / "CLAUDE.md").write_text("Use tabs.\n")
    said = {"systemMessage": "instructions checked"}
    hooks = {
        "InstructionsLoaded": [{"hooks": [script(f"print({json.dumps(said)!r})")]}],
        "SessionStart": [{"hooks": [script("import time; time.sleep(0.5)")]}],
    }
    write_json(Path(acp_env["HOME"]) / ".claude" / "settings.json", {"hooks": hooks})
    async with FakeAnthropic(answers("Hi.")) as server:
        client = await start(server)
        session = await client.new_session(workspace)
        await client.wait_for(lambda: "instructions checked" in json.dumps(client.updates))
    assert _answered_before_updates(client.raw, session)


def _answered_before_updates(raw: list[dict[str, Any]], session_id: str) -> bool:
    answer = next(
        n
        for n, m in enumerate(raw)
        if isinstance(m.get("result"), dict) and m["result"].get("sessionId") == session_id
    )
    updates = [
        n
        for n, m in enumerate(raw)
        if m.get("method") == "session/update" and m["params"].get("sessionId") == session_id
    ]
    return bool(updates) and answer < updates[0]
