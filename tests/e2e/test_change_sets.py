"""A run's change set: listed after an acceptEdits run, reverted hunk by hunk, and rewound as one
versioned WorkspaceEdit that keeps what the user typed since (and reports what it cannot undo)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from lsprotocol import types

from tests.e2e.agent_harness import (
    TWO_HUNKS_NEW,
    TWO_HUNKS_OLD,
    Harness,
    StartAgent,
    read_step,
    run_fix,
    write_two_hunks,
)

ACCEPT = {"permissionMode": "acceptEdits"}


async def _run_two_hunks(start_agent: StartAgent, steps: Any = None) -> tuple[Harness, str, str]:
    """An acceptEdits run that changed lines 1 and 5 of hello.py: (harness, uri, session id)."""
    h = await start_agent(steps or write_two_hunks(), init_options=ACCEPT)
    (h.workspace / "hello.py").write_text(TWO_HUNKS_OLD)
    uri = h.editor.open(h.workspace / "hello.py")
    done = await run_fix(h, uri)
    assert done["subtype"] == "success", done
    assert h.editor.text(uri) == TWO_HUNKS_NEW
    return h, uri, str(done["sessionId"])


def _last_edit(h: Harness) -> types.TextDocumentEdit:
    [change] = h.editor.applied_edits[-1].edit.document_changes or []
    assert isinstance(change, types.TextDocumentEdit)
    return change


async def test_change_set_of_an_accept_edits_run_lists_its_hunks_and_reverts_one(
    start_agent: StartAgent,
) -> None:
    h, uri, session_id = await _run_two_hunks(start_agent)
    h.editor.type(uri, "# typed after the run\n" + TWO_HUNKS_NEW)
    listing = await h.command("lspAgent.changes", {"sessionId": session_id})
    [run] = listing["runs"]
    [changed] = run["files"]
    assert run["run"] == 1 and changed["uri"] == uri and not changed["created"]
    hunks = changed["hunks"]
    assert [(x["line"], x["oldText"], x["newText"]) for x in hunks] == [
        (1, "a = 1\n", "a = 10\n"),  # where it is now: one line lower, below the typed line
        (5, "e = 5\n", "e = 50\n"),
    ]
    answer = await h.command(
        "lspAgent.revertChanges", {"sessionId": session_id, "uri": uri, "hunks": [hunks[1]["id"]]}
    )
    assert answer["applied"] is True and answer["conflicts"] == []
    expected = "# typed after the run\n" + TWO_HUNKS_NEW.replace("e = 50", "e = 5")
    assert h.editor.text(uri) == expected
    assert _last_edit(h).text_document.version == 3  # against the buffer as the user left it
    [left] = (await h.command("lspAgent.changes", {"sessionId": session_id}))["runs"][0]["files"]
    assert [x["newText"] for x in left["hunks"]] == ["a = 10\n"]


async def test_rewind_keeps_text_typed_after_the_run(start_agent: StartAgent) -> None:
    h, uri, session_id = await _run_two_hunks(start_agent)
    typed = "# typed after the run\n" + TWO_HUNKS_NEW.replace("c = 3", "c = 'mine'")
    h.editor.type(uri, typed)
    answer = await h.command("lspAgent.rewind", {"sessionId": session_id, "run": 1})
    assert answer["applied"] is True and answer["conflicts"] == []
    assert h.editor.text(uri) == "# typed after the run\n" + TWO_HUNKS_OLD.replace(
        "c = 3", "c = 'mine'"
    )
    assert len(h.editor.applied_edits) == 2  # the run's edit, then the rewind as one edit


async def test_rewind_right_after_typing_waits_for_the_buffer(start_agent: StartAgent) -> None:
    """The user types and rewinds at once: the didChange is still on its way when the rewind is
    planned, so the editor refuses the versioned edit (stale version); the server plans again
    against the text the editor holds, once it arrives, instead of giving up."""
    h, uri, session_id = await _run_two_hunks(start_agent)
    held: list[Any] = []
    send = h.editor._send_change
    h.editor._send_change = lambda document, changes: held.append((document, changes))  # type: ignore[method-assign]
    h.editor.type(uri, "# typed just now\n" + TWO_HUNKS_NEW)
    h.editor._send_change = send  # type: ignore[method-assign]
    asyncio.get_running_loop().call_later(0.1, lambda: send(*held[0]))
    answer = await h.command("lspAgent.rewind", {"sessionId": session_id, "run": 1})
    assert answer["applied"] is True and answer["conflicts"] == [], answer
    assert h.editor.text(uri) == "# typed just now\n" + TWO_HUNKS_OLD


async def test_rewind_reports_a_conflict_and_never_overwrites_it(start_agent: StartAgent) -> None:
    h, uri, session_id = await _run_two_hunks(start_agent)
    typed = TWO_HUNKS_NEW.replace("e = 50", "e = 51")
    h.editor.type(uri, typed)
    answer = await h.command(
        "lspAgent.rewind", {"sessionId": session_id, "run": 1, "conversation": True}
    )
    assert answer["conflicts"] == [
        {"uri": uri, "hunk": 1, "message": "changed since the run; left as it is"}
    ]
    assert h.editor.text(uri) == typed.replace("a = 10", "a = 1")  # the other hunk is undone
    assert answer["conversation"].startswith("kept")


def _edit_and_shell() -> list[dict[str, Any]]:
    steps = write_two_hunks()
    shell = {
        "type": "tool_use",
        "name": "Bash",
        "input": {"command": "echo made > by-shell.txt", "description": "write a file"},
    }
    return [steps[0], steps[1], {"content": [shell]}, steps[2]]


async def test_shell_changes_are_listed_as_not_tracked(start_agent: StartAgent) -> None:
    h = await start_agent(_edit_and_shell(), init_options=ACCEPT)
    h.editor.answer = lambda params: "Allow once"
    (h.workspace / "hello.py").write_text(TWO_HUNKS_OLD)
    uri = h.editor.open(h.workspace / "hello.py")
    done = await run_fix(h, uri)
    session_id = done["sessionId"]
    assert (h.workspace / "by-shell.txt").exists()
    [run] = (await h.command("lspAgent.changes", {"sessionId": session_id}))["runs"]
    assert run["untracked"] == ["Bash: echo made > by-shell.txt"]
    await h.command("lspAgent.rewind", {"sessionId": session_id})
    assert h.editor.text(uri) == TWO_HUNKS_OLD
    assert (h.workspace / "by-shell.txt").exists()  # not tracked: never touched


async def test_rewinding_the_conversation_forgets_the_prompt(start_agent: StartAgent) -> None:
    steps = [*write_two_hunks(), read_step(), {"content": [{"type": "text", "text": "again"}]}]
    h, uri, session_id = await _run_two_hunks(start_agent, steps)
    answer = await h.command(
        "lspAgent.rewind", {"sessionId": session_id, "run": 1, "conversation": True}
    )
    assert answer["conversation"] == "rewound" and h.editor.text(uri) == TWO_HUNKS_OLD
    result = await h.command("lspAgent.resume", {"sessionId": session_id, "prompt": "second"})
    await h.editor.done(result["sessionId"], nth=2)
    sent = h.fake.requests[-1].body["messages"]
    assert "greeting too short" not in str(sent)  # the first prompt is gone
    listing = await h.command("lspAgent.changes", {"sessionId": session_id})
    assert [r["prompt"] for r in listing["runs"]] == ["second"]


async def test_bad_arguments_are_refused_clearly(start_agent: StartAgent) -> None:
    h, uri, session_id = await _run_two_hunks(start_agent)
    # A session of another folder, with a checkpoint naming a file there: never reverted here.
    sessions = h.workspace.parent / "env" / "data" / "sessions"
    other = "0b0e0f0a-0000-4000-8000-000000000000"
    header = {"type": "session", "session_id": other, "cwd": "/elsewhere", "model": "m"}
    (sessions / f"{other}.jsonl").write_text(json.dumps(header) + "\n")
    for argument, message in [
        ({"sessionId": "nope"}, "no session"),
        ({"sessionId": other}, "no session"),
        ({"sessionId": session_id, "run": 7}, "no run 7"),
        ({"sessionId": session_id, "hunks": [0]}, "needs the 'uri'"),
    ]:
        try:
            await h.command("lspAgent.revertChanges", argument)
        except Exception as exc:
            assert message in str(exc)
        else:
            raise AssertionError(f"{argument} was accepted")
    assert h.editor.text(uri) == TWO_HUNKS_NEW


async def test_another_server_rewinds_a_session_on_disk_then_resumes_it(
    start_agent: StartAgent,
) -> None:
    steps = [*write_two_hunks(), {"content": [{"type": "text", "text": "Nothing else."}]}]
    first, _, session_id = await _run_two_hunks(start_agent, steps)
    # The same model server: it checks that the resumed conversation is the one it answered.
    same_model = {"ANTHROPIC_BASE_URL": first.fake.base_url}
    later = await start_agent([], init_options=ACCEPT, extra_env=same_model)
    uri = later.editor.open(first.workspace / "hello.py", TWO_HUNKS_NEW)  # the unsaved result
    listing = await later.command("lspAgent.changes", {"sessionId": session_id})
    assert [(r["run"], len(r["files"])) for r in listing["runs"]] == [(1, 1)]
    answer = await later.command(
        "lspAgent.rewind", {"sessionId": session_id, "run": 1, "conversation": True}
    )
    assert answer["conversation"] == "rewound" and later.editor.text(uri) == TWO_HUNKS_OLD
    await later.command("lspAgent.resume", {"sessionId": session_id, "prompt": "anything else?"})
    await later.editor.done(session_id)
    sent = first.fake.requests[-1].body["messages"]
    assert "greeting too short" not in str(sent) and "anything else?" in str(sent)
    listing = await later.command("lspAgent.changes", {"sessionId": session_id})
    assert [r["prompt"] for r in listing["runs"]] == ["anything else?"]
