"""Agent runs in the editor: permissions, cancellation, progress, sessions, errors."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types

from tests.e2e.agent_harness import (
    HELD,
    HELLO,
    StartAgent,
    bash_scenario,
    read_then_edit,
    run_fix,
    start_held_run,
)
from tests.e2e.conftest import wait_for_message


@pytest.mark.parametrize(("answer", "ran"), [("Allow once", True), ("Deny", False), (None, False)])
async def test_bash_needs_the_users_permission(
    start_agent: StartAgent, answer: str | None, ran: bool
) -> None:
    h = await start_agent(bash_scenario("echo permitted-output"))
    h.editor.answer = lambda params: answer
    (h.workspace / "hello.py").write_text(HELLO)
    uri = h.editor.open(h.workspace / "hello.py")
    result = await h.command("lspAgent.ask", {"uri": uri, "prompt": "run it"})
    await h.editor.done(result["sessionId"])
    [prompt] = h.editor.prompts
    assert "echo permitted-output" in prompt.message
    assert [a.title for a in prompt.actions or []] == [
        "Allow once",
        "Allow for this session",
        "Deny",
    ]
    [tool_result] = h.tool_results()
    assert ("permitted-output" in tool_result["content"]) == ran
    decisions = [
        e["decision"] for e in h.editor.stream if e["kind"] == "permission" and "requestId" in e
    ]
    assert decisions == [None, "allow" if ran else "deny"]


async def test_cancel_mid_stream_stops_the_run(start_agent: StartAgent) -> None:
    h = await start_agent([HELD])
    session_id = await start_held_run(h)
    cancelled = await h.command("lspAgent.cancel", {"sessionId": session_id})
    assert cancelled == {"cancelled": [session_id]}
    done = await h.editor.done(session_id, timeout=10)
    assert done["subtype"] == "cancelled"


async def test_cancel_request_stops_a_waiting_run(start_agent: StartAgent) -> None:
    """`wait: true` keeps the request open until the run ends; `$/cancelRequest` cancels it."""
    h = await start_agent([HELD])
    (h.workspace / "hello.py").write_text(HELLO)
    uri = h.editor.open(h.workspace / "hello.py")
    params = types.ExecuteCommandParams(
        command="lspAgent.ask", arguments=[{"uri": uri, "prompt": "talk", "wait": True}]
    )
    request = asyncio.ensure_future(
        h.client.protocol.send_request_async(
            types.WORKSPACE_EXECUTE_COMMAND, params, msg_id="ask-1"
        )
    )
    await asyncio.wait_for(h.fake.held.wait(), 30)
    h.client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="ask-1"))
    done = await h.editor.wait_for(lambda e: e["kind"] == "done", timeout=10)
    assert done["subtype"] == "cancelled"
    request.cancel()


async def test_cancelling_the_progress_cancels_the_run(start_agent: StartAgent) -> None:
    h = await start_agent([HELD])
    session_id = await start_held_run(h)
    [token] = [t for t, r in h.client.progress_reports.items() if r and "index" not in str(t)]
    h.client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
    done = await h.editor.done(session_id, timeout=10)
    assert done["subtype"] == "cancelled"


async def test_progress_begins_reports_and_ends(start_agent: StartAgent) -> None:
    h = await start_agent(read_then_edit("print('hello')", "print('hey')"))
    (h.workspace / "hello.py").write_text(HELLO)
    uri = h.editor.open(h.workspace / "hello.py")
    await run_fix(h, uri)
    await wait_for_message(h.client, "changed the greeting")  # sent after the progress end
    [reports] = [
        r for token, r in h.client.progress_reports.items() if r and "index" not in str(token)
    ]
    assert isinstance(reports[0], types.WorkDoneProgressBegin)
    assert reports[0].title == "Claude: Fix 'greeting too short'" and reports[0].cancellable
    messages = [r.message for r in reports if isinstance(r, types.WorkDoneProgressReport)]
    assert any(m and m.startswith("Read ") for m in messages)
    assert isinstance(reports[-1], types.WorkDoneProgressEnd)
    assert "changed the greeting" in (reports[-1].message or "")


async def test_two_sessions_run_at_once(start_agent: StartAgent) -> None:
    hold = {
        "content": [{"type": "text", "text": "first session text"}],
        "fail": {"after": 3, "mode": "hold"},
    }
    retry = {"content": [{"type": "text", "text": "first done"}]}
    h = await start_agent([hold, {"content": [{"type": "text", "text": "second done"}]}, retry])
    (h.workspace / "hello.py").write_text(HELLO)
    uri = h.editor.open(h.workspace / "hello.py")
    first = await h.command("lspAgent.ask", {"uri": uri, "prompt": "one"})
    await asyncio.wait_for(h.fake.held.wait(), 30)
    second = await h.command("lspAgent.ask", {"uri": uri, "prompt": "two"})
    done = await h.editor.done(second["sessionId"])
    assert done["result"] == "second done"  # the second finished while the first is held
    sessions = await h.command("lspAgent.sessions", {})
    running = {s["sessionId"]: s["running"] for s in sessions}
    assert running[first["sessionId"]] is True and running[second["sessionId"]] is False
    h.fake.release.set()
    await h.editor.done(first["sessionId"])


async def test_missing_api_key_is_a_clear_error_and_the_server_goes_on(
    start_agent: StartAgent,
) -> None:
    h = await start_agent([], extra_env={"ANTHROPIC_API_KEY": ""})
    (h.workspace / "hello.py").write_text(HELLO)
    uri = h.editor.open(h.workspace / "hello.py")
    result = await h.command("lspAgent.ask", {"uri": uri, "prompt": "hi"})
    done = await h.editor.done(result["sessionId"])
    assert done["subtype"] == "error_during_execution"
    shown = await wait_for_message(h.client, "ANTHROPIC_API_KEY")
    assert "sk-" not in shown
    assert h.fake.requests == []
    assert (await h.command("lspAgent.settings", {}))["settings"]["maxTurns"] == 50


async def test_a_session_is_listed_and_resumed_with_its_history(start_agent: StartAgent) -> None:
    h = await start_agent(
        [
            {"content": [{"type": "text", "text": "The answer is 42."}]},
            {"content": [{"type": "text", "text": "You asked about the answer."}]},
        ]
    )
    (h.workspace / "hello.py").write_text(HELLO)
    uri = h.editor.open(h.workspace / "hello.py")
    first = await h.command("lspAgent.ask", {"uri": uri, "prompt": "What is the answer?"})
    await h.editor.done(first["sessionId"])
    [listed] = await h.command("lspAgent.sessions", {})
    assert listed["sessionId"] == first["sessionId"] and listed["running"] is False
    assert listed["title"] == "What is the answer?"
    again = await h.command(
        "lspAgent.resume", {"sessionId": first["sessionId"], "prompt": "What did I ask?"}
    )
    assert again["sessionId"] == first["sessionId"]
    done = await h.editor.done(first["sessionId"], nth=2)
    assert done["result"] == "You asked about the answer."
    history = [m["role"] for m in h.fake.requests[1].body["messages"]]
    assert history == ["user", "assistant", "user"]
    with pytest.raises(Exception, match="cannot resume"):
        await h.command("lspAgent.resume", {"sessionId": "no-such-session", "prompt": "hi"})
