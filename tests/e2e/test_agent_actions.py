"""The agent in the editor, end to end: a real server over stdio, a scripted model over real
HTTP/SSE, and the test client acting as the editor (tests/e2e/editor.py)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from lsp_agent.testing.fake_anthropic import FakeAnthropic
from tests.e2e.conftest import StartServer, wait_for_log, wait_for_message
from tests.e2e.editor import Editor

HELLO = "def greet():\n    print('hello')\n"


@dataclass
class Harness:
    client: LanguageClient
    editor: Editor
    fake: FakeAnthropic
    workspace: Path

    async def command(self, name: str, argument: dict[str, Any]) -> Any:
        return await self.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command=name, arguments=[argument])
        )

    def tool_results(self) -> list[dict[str, Any]]:
        """Every tool_result block the model received, in order."""
        results = []
        for request in self.fake.requests:
            last = request.body["messages"][-1]
            if last["role"] == "user" and isinstance(last["content"], list):
                results += [b for b in last["content"] if b.get("type") == "tool_result"]
        return results


StartAgent = Callable[..., Awaitable[Harness]]


@pytest.fixture
async def start_agent(start_server: StartServer, workspace: Path) -> AsyncIterator[StartAgent]:
    fakes: list[FakeAnthropic] = []

    async def start(responses: list[dict[str, Any]], **kwargs: Any) -> Harness:
        fake = FakeAnthropic({"responses": responses}, variables={"cwd": str(workspace)})
        await fake.__aenter__()
        fakes.append(fake)
        extra_env = {
            "ANTHROPIC_BASE_URL": fake.base_url,
            "ANTHROPIC_API_KEY": "sk-test-key",
            "LSP_AGENT_RETRY_BASE_DELAY": "0.01",
            **kwargs.pop("extra_env", {}),
        }
        client = await start_server(extra_env=extra_env, **kwargs)
        return Harness(client, Editor(client), fake, workspace)

    yield start
    for fake in fakes:
        await fake.__aexit__(None, None, None)
        assert fake.violations == [], fake.violations


def read_then_edit(old: str, new: str) -> list[dict[str, Any]]:
    return [
        {
            "content": [
                {"type": "tool_use", "name": "Read", "input": {"file_path": "{cwd}/hello.py"}}
            ]
        },
        {
            "content": [
                {
                    "type": "tool_use",
                    "name": "Edit",
                    "input": {"file_path": "{cwd}/hello.py", "old_string": old, "new_string": new},
                }
            ]
        },
        {"content": [{"type": "text", "text": "Done: changed the greeting."}]},
    ]


def diagnostic(line: int, message: str) -> types.Diagnostic:
    return types.Diagnostic(
        range=types.Range(types.Position(line, 4), types.Position(line, 9)),
        message=message,
        source="testlint",
    )


def _structure_code_action_items(client: LanguageClient) -> None:
    # lsprotocol's client decodes any item with a "command" key as a Command (pygls-gotchas.md).
    converter = client.protocol._converter

    def hook(obj: Any, _: Any) -> Any:
        is_action = "kind" in obj or isinstance(obj.get("command"), dict)
        return converter.structure(obj, types.CodeAction if is_action else types.Command)

    converter.register_structure_hook(Union[types.Command, types.CodeAction], hook)  # noqa: UP007


async def test_code_actions_offer_a_fix_per_diagnostic_and_the_general_actions(
    start_agent: StartAgent,
) -> None:
    h = await start_agent([])
    _structure_code_action_items(h.client)
    (h.workspace / "hello.py").write_text(HELLO)
    uri = h.editor.open(h.workspace / "hello.py")
    diagnostics = [diagnostic(1, "undefined name 'prin'"), diagnostic(0, "missing docstring")]
    actions = await h.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri),
            range=types.Range(types.Position(1, 0), types.Position(1, 5)),
            context=types.CodeActionContext(diagnostics=diagnostics),
        )
    )
    assert actions is not None
    titles = [a.title for a in actions]
    assert titles[:2] == [
        "Fix with Claude: undefined name 'prin'",
        "Fix with Claude: missing docstring",
    ]
    assert "Ask Claude..." in titles and "Review this file with Claude" in titles
    fix = actions[0]
    assert isinstance(fix, types.CodeAction)
    assert fix.kind == types.CodeActionKind.QuickFix
    assert list(fix.diagnostics or []) == [diagnostics[0]]
    assert fix.command is not None and fix.command.command == "lspAgent.fixDiagnostics"
    assert fix.command.arguments[0]["diagnostics"][0]["message"] == "undefined name 'prin'"
    kinds = {a.title: a.kind for a in actions if isinstance(a, types.CodeAction)}
    assert kinds["Refactor with Claude"] == types.CodeActionKind.RefactorRewrite
    assert kinds["Review this file with Claude"] == types.CodeActionKind.Source

    only = await h.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri),
            range=types.Range(types.Position(1, 0), types.Position(1, 5)),
            context=types.CodeActionContext(diagnostics=diagnostics, only=["source"]),
        )
    )
    assert [a.title for a in only or []] == ["Review this file with Claude"]
    assert h.fake.requests == []  # code actions never call the model


async def run_fix(h: Harness, uri: str) -> dict[str, Any]:
    result = await h.command(
        "lspAgent.fixDiagnostics",
        {"uri": uri, "diagnostics": [json.loads(json.dumps(_plain_diagnostic()))]},
    )
    return await h.editor.done(result["sessionId"])


def _plain_diagnostic() -> dict[str, Any]:
    return {
        "range": {"start": {"line": 1, "character": 4}, "end": {"line": 1, "character": 9}},
        "message": "greeting too short",
        "source": "testlint",
    }


async def test_fix_diagnostic_runs_to_an_approved_versioned_edit(start_agent: StartAgent) -> None:
    h = await start_agent(read_then_edit("print('hello')", "print('hello, world')"))
    (h.workspace / "hello.py").write_text(HELLO)
    uri = h.editor.open(h.workspace / "hello.py")
    done = await run_fix(h, uri)
    assert done["subtype"] == "success", done
    assert h.editor.text(uri) == "def greet():\n    print('hello, world')\n"
    assert (h.workspace / "hello.py").read_text() == HELLO  # the buffer changed, not the disk
    [sent] = h.editor.applied_edits
    [change] = sent.edit.document_changes or []
    assert isinstance(change, types.TextDocumentEdit)
    assert change.text_document.version == 1  # computed against the buffer's version
    annotations = sent.edit.change_annotations or {}
    assert [a.needs_confirmation for a in annotations.values()] == [True]  # default mode
    assert "has been updated" in h.tool_results()[-1]["content"]
    prompt = h.fake.requests[0].body["messages"][0]["content"][0]["text"]
    assert "greeting too short" in prompt and str(h.workspace / "hello.py") in prompt
    statuses = [e["status"] for e in h.editor.stream if e["kind"] == "proposal"]
    assert statuses == ["pending", "applied"]


async def test_accept_edits_mode_sends_no_confirmation(start_agent: StartAgent) -> None:
    h = await start_agent(
        read_then_edit("print('hello')", "print('hi')"),
        init_options={"permissionMode": "acceptEdits"},
    )
    (h.workspace / "hello.py").write_text(HELLO)
    uri = h.editor.open(h.workspace / "hello.py")
    await run_fix(h, uri)
    [sent] = h.editor.applied_edits
    assert not sent.edit.change_annotations
    assert "print('hi')" in h.editor.text(uri)


async def test_diagnostics_after_the_edit_reach_the_model(start_agent: StartAgent) -> None:
    h = await start_agent(
        read_then_edit("print('hello')", "print(undefined)"),
        init_options={"permissionMode": "acceptEdits"},
    )
    (h.workspace / "hello.py").write_text(HELLO)
    uri = h.editor.open(h.workspace / "hello.py")
    h.editor.forward_diagnostics(uri, ["missing docstring"])
    h.editor.after_apply = lambda u: h.editor.forward_diagnostics(u, ["undefined name 'undefined'"])
    await run_fix(h, uri)
    result = h.tool_results()[-1]["content"]
    assert "Diagnostics in the editor after the change" in result
    assert "undefined name 'undefined'" in result and "missing docstring" not in result


async def test_rejected_edit_is_reported_to_the_model(start_agent: StartAgent) -> None:
    h = await start_agent(read_then_edit("print('hello')", "print('bye')"))
    h.editor.edit_behaviour = "reject"
    (h.workspace / "hello.py").write_text(HELLO)
    uri = h.editor.open(h.workspace / "hello.py")
    await run_fix(h, uri)
    assert h.editor.text(uri) == HELLO
    result = h.tool_results()[-1]
    assert result.get("is_error") and "not applied" in result["content"]


async def test_preview_that_applies_nothing_is_not_counted_as_applied(
    start_agent: StartAgent,
) -> None:
    h = await start_agent(read_then_edit("print('hello')", "print('bye')"))
    h.editor.edit_behaviour = "pretend"  # VS Code's Refactor Preview with the edit unticked
    (h.workspace / "hello.py").write_text(HELLO)
    uri = h.editor.open(h.workspace / "hello.py")
    await run_fix(h, uri)
    result = h.tool_results()[-1]
    assert result.get("is_error") and "did not change" in result["content"]


async def review_proposal(h: Harness, uri: str) -> tuple[str, dict[str, Any]]:
    """Start a fix in client-review mode and wait for its proposal."""
    result = await h.command(
        "lspAgent.fixDiagnostics", {"uri": uri, "diagnostics": [_plain_diagnostic()]}
    )
    proposal = await h.editor.wait_for(lambda e: e["kind"] == "proposal")
    assert proposal["status"] == "pending" and h.editor.applied_edits == []
    return result["sessionId"], proposal


TWO_HUNKS_OLD = "a = 1\nb = 2\nc = 3\nd = 4\ne = 5\n"
TWO_HUNKS_NEW = "a = 10\nb = 2\nc = 3\nd = 4\ne = 50\n"


def write_two_hunks() -> list[dict[str, Any]]:
    return [
        {
            "content": [
                {"type": "tool_use", "name": "Read", "input": {"file_path": "{cwd}/hello.py"}}
            ]
        },
        {
            "content": [
                {
                    "type": "tool_use",
                    "name": "Write",
                    "input": {"file_path": "{cwd}/hello.py", "content": TWO_HUNKS_NEW},
                }
            ]
        },
        {"content": [{"type": "text", "text": "Updated a and e."}]},
    ]


async def test_client_review_accepts_one_hunk_and_rejects_the_other(
    start_agent: StartAgent,
) -> None:
    h = await start_agent(write_two_hunks(), init_options={"clientReview": True})
    (h.workspace / "hello.py").write_text(TWO_HUNKS_OLD)
    uri = h.editor.open(h.workspace / "hello.py")
    session_id, proposal = await review_proposal(h, uri)
    assert [hunk["id"] for hunk in proposal["hunks"]] == [0, 1]
    assert proposal["version"] == 1 and proposal["newText"] == TWO_HUNKS_NEW
    answer = await h.command(
        "lspAgent.rejectEdits", {"proposalId": proposal["proposalId"], "hunks": [1]}
    )
    assert answer == {"rejected": True}
    await h.editor.done(session_id)
    assert h.editor.text(uri) == "a = 10\nb = 2\nc = 3\nd = 4\ne = 5\n"
    [sent] = h.editor.applied_edits
    assert not sent.edit.change_annotations  # the user already reviewed it
    statuses = [e["status"] for e in h.editor.stream if e["kind"] == "proposal"]
    assert statuses == ["pending", "partial"]
    assert "a = 10" in h.tool_results()[-1]["content"]


async def test_user_typing_during_review_is_kept(start_agent: StartAgent) -> None:
    h = await start_agent(write_two_hunks(), init_options={"clientReview": True})
    (h.workspace / "hello.py").write_text(TWO_HUNKS_OLD)
    uri = h.editor.open(h.workspace / "hello.py")
    session_id, proposal = await review_proposal(h, uri)
    h.editor.type(uri, "# typed during review\n" + TWO_HUNKS_OLD)
    answer = await h.command("lspAgent.acceptEdits", {"proposalId": proposal["proposalId"]})
    assert answer["applied"] is True
    await h.editor.done(session_id)
    assert h.editor.text(uri) == "# typed during review\n" + TWO_HUNKS_NEW
    [sent] = h.editor.applied_edits
    [change] = sent.edit.document_changes or []
    assert isinstance(change, types.TextDocumentEdit) and change.text_document.version == 2


async def test_overlapping_typing_during_review_is_a_conflict(start_agent: StartAgent) -> None:
    h = await start_agent(write_two_hunks(), init_options={"clientReview": True})
    (h.workspace / "hello.py").write_text(TWO_HUNKS_OLD)
    uri = h.editor.open(h.workspace / "hello.py")
    session_id, proposal = await review_proposal(h, uri)
    typed = TWO_HUNKS_OLD.replace("a = 1", "a = 'user'")
    h.editor.type(uri, typed)
    answer = await h.command("lspAgent.acceptEdits", {"proposalId": proposal["proposalId"]})
    assert answer["applied"] is False and "conflict" in answer["message"]
    await h.editor.done(session_id)
    assert h.editor.text(uri) == typed and h.editor.applied_edits == []


async def test_user_edited_proposal_is_what_the_model_hears_about(start_agent: StartAgent) -> None:
    h = await start_agent(write_two_hunks(), init_options={"clientReview": True})
    (h.workspace / "hello.py").write_text(TWO_HUNKS_OLD)
    uri = h.editor.open(h.workspace / "hello.py")
    session_id, proposal = await review_proposal(h, uri)
    mine = TWO_HUNKS_NEW.replace("e = 50", "e = 42")
    await h.command("lspAgent.acceptEdits", {"proposalId": proposal["proposalId"], "text": mine})
    await h.editor.done(session_id)
    assert h.editor.text(uri) == mine
    assert "e = 42" in h.tool_results()[-1]["content"]


async def test_file_changed_after_read_is_refused_not_overwritten(
    start_agent: StartAgent,
) -> None:
    write = {
        "content": [
            {
                "type": "tool_use",
                "name": "Write",
                "input": {
                    "file_path": "{cwd}/hello.py",
                    "content": "def greet():\n    print('HELLO')\n",
                },
            }
        ]
    }
    h = await start_agent(
        [
            {
                "content": [
                    {"type": "tool_use", "name": "Read", "input": {"file_path": "{cwd}/hello.py"}}
                ]
            },
            {**write, "fail": {"after": 1, "mode": "hold"}},
            write,  # the retry after the held connection drops
            {"content": [{"type": "text", "text": "The file changed; stopping."}]},
        ]
    )
    (h.workspace / "hello.py").write_text(HELLO)
    uri = h.editor.open(h.workspace / "hello.py")
    result = await h.command(
        "lspAgent.fixDiagnostics", {"uri": uri, "diagnostics": [_plain_diagnostic()]}
    )
    await asyncio.wait_for(h.fake.held.wait(), 30)
    h.editor.type(uri, "def greet():\n    print('user typed this')\n")
    h.fake.release.set()
    await h.editor.done(result["sessionId"])
    assert h.editor.text(uri) == "def greet():\n    print('user typed this')\n"
    assert h.editor.applied_edits == []
    assert h.tool_results()[-1].get("is_error")


async def test_unsaved_buffer_text_reaches_the_model(start_agent: StartAgent) -> None:
    h = await start_agent(
        [
            {
                "content": [
                    {"type": "tool_use", "name": "Read", "input": {"file_path": "{cwd}/hello.py"}}
                ]
            },
            {"content": [{"type": "text", "text": "It prints unsaved."}]},
        ]
    )
    (h.workspace / "hello.py").write_text(HELLO)
    uri = h.editor.open(h.workspace / "hello.py", "print('unsaved 🎉 文字')\n")
    result = await h.command("lspAgent.ask", {"uri": uri, "prompt": "What does this print?"})
    await h.editor.done(result["sessionId"])
    assert "unsaved 🎉 文字" in h.tool_results()[0]["content"]


async def test_utf16_positions_on_a_last_line_with_emoji_and_cjk(start_agent: StartAgent) -> None:
    text = "x = 1\ns = '🎉 文字'"  # no final newline: the edit ends inside the last line
    h = await start_agent(
        [
            {
                "content": [
                    {"type": "tool_use", "name": "Read", "input": {"file_path": "{cwd}/hello.py"}}
                ]
            },
            {
                "content": [
                    {
                        "type": "tool_use",
                        "name": "Edit",
                        "input": {
                            "file_path": "{cwd}/hello.py",
                            "old_string": "'🎉 文字'",
                            "new_string": "'🎉 文字 ok'",
                        },
                    }
                ]
            },
            {"content": [{"type": "text", "text": "ok"}]},
        ],
        init_options={"permissionMode": "acceptEdits"},
    )
    (h.workspace / "hello.py").write_text(text)
    uri = h.editor.open(h.workspace / "hello.py")
    result = await h.command("lspAgent.ask", {"uri": uri, "prompt": "extend s"})
    await h.editor.done(result["sessionId"])
    assert h.editor.text(uri) == "x = 1\ns = '🎉 文字 ok'"
    [change] = h.editor.applied_edits[0].edit.document_changes or []
    assert isinstance(change, types.TextDocumentEdit)
    end = change.edits[0].range.end
    # "s = '🎉 文字'" is 11 UTF-16 code units (the emoji takes two), 10 code points.
    assert (end.line, end.character) == (1, 11)


async def test_the_index_gives_the_agent_context_and_symbol_tools(
    start_agent: StartAgent, workspace: Path
) -> None:
    (workspace / "hello.py").write_text(HELLO + "\n\ndef caller():\n    return greet()\n")
    h = await start_agent(
        [
            {
                "content": [
                    {"type": "tool_use", "name": "SymbolSearch", "input": {"query": "greet"}}
                ]
            },
            {"content": [{"type": "text", "text": "greet is defined in hello.py"}]},
        ]
    )
    await wait_for_log(h.client, "index ready")
    uri = h.editor.open(workspace / "hello.py")
    inside_caller = {"start": {"line": 5, "character": 4}, "end": {"line": 5, "character": 4}}
    result = await h.command(
        "lspAgent.ask", {"uri": uri, "prompt": "Where is greet?", "range": inside_caller}
    )
    await h.editor.done(result["sessionId"])
    prompt = h.fake.requests[0].body["messages"][0]["content"][0]["text"]
    assert "Enclosing symbols: function caller" in prompt
    assert "def greet()" in prompt  # the definition caller uses, from the index
    tool_names = [t["name"] for t in h.fake.requests[0].body["tools"]]
    assert {"SymbolSearch", "FindDefinition", "FileOutline"} <= set(tool_names)
    found = h.tool_results()[0]["content"]
    assert "greet" in found and "hello.py:1" in found


def bash_scenario(command: str) -> list[dict[str, Any]]:
    return [
        {
            "content": [
                {
                    "type": "tool_use",
                    "name": "Bash",
                    "input": {"command": command, "description": "say hi"},
                }
            ]
        },
        {"content": [{"type": "text", "text": "finished"}]},
    ]


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


HELD = {
    "content": [{"type": "text", "text": "A long answer"}],
    "fail": {"after": 3, "mode": "hold"},
}


async def start_held_run(h: Harness, **extra: Any) -> str:
    """Start an ask whose model stream stops mid-way and waits; returns the session id."""
    (h.workspace / "hello.py").write_text(HELLO)
    uri = h.editor.open(h.workspace / "hello.py")
    result = await h.command("lspAgent.ask", {"uri": uri, "prompt": "talk", **extra})
    await asyncio.wait_for(h.fake.held.wait(), 30)
    return str(result["sessionId"])


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


@pytest.mark.parametrize(
    ("command", "argument", "needle"),
    [
        ("lspAgent.ask", {"uri": "file:///nowhere/x.py", "prompt": "hi"}, "no such document"),
        ("lspAgent.ask", {"uri": "{uri}"}, "needs a 'prompt'"),
        ("lspAgent.ask", {"uri": "{uri}", "prompt": "x", "action": "dance"}, "unknown action"),
        ("lspAgent.fixDiagnostics", {"uri": "{uri}"}, "no diagnostics"),
        ("lspAgent.acceptEdits", {"proposalId": "p999"}, "no pending proposal"),
        ("lspAgent.setPermissionMode", {"mode": "yolo"}, "'mode' must be one of"),
        ("lspAgent.ask", "not an object", "one object argument"),
    ],
)
async def test_bad_command_arguments_get_clear_errors(
    start_agent: StartAgent, command: str, argument: Any, needle: str
) -> None:
    h = await start_agent([])
    (h.workspace / "hello.py").write_text(HELLO)
    uri = h.editor.open(h.workspace / "hello.py")
    if isinstance(argument, dict):
        argument = {
            k: v.replace("{uri}", uri) if isinstance(v, str) else v for k, v in argument.items()
        }
    with pytest.raises(Exception) as caught:
        await h.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command=command, arguments=[argument])
        )
    assert needle in str(caught.value)
