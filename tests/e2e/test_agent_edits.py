"""Agent edits as proposals: versioned WorkspaceEdits, review, rejection, conflicts, encodings."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from lsprotocol import types
from pytest_lsp import client_capabilities

from tests.e2e.agent_harness import (
    HELLO,
    TWO_HUNKS_NEW,
    TWO_HUNKS_OLD,
    Harness,
    StartAgent,
    plain_diagnostic,
    read_step,
    read_then_edit,
    review_proposal,
    run_fix,
    write_two_hunks,
)
from tests.e2e.conftest import wait_for_log


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
    await h.command("lspAgent.acceptEdits", {"proposalId": proposal["proposalId"]})
    answer = await decided(h, proposal["proposalId"])
    assert answer["applied"] is True
    await h.editor.done(session_id)
    assert h.editor.text(uri) == "# typed during review\n" + TWO_HUNKS_NEW
    [sent] = h.editor.applied_edits
    [change] = sent.edit.document_changes or []
    assert isinstance(change, types.TextDocumentEdit) and change.text_document.version == 2
    # The typing is the user's, not the run's: rewinding the run keeps it.
    await h.command("lspAgent.rewind", {"sessionId": session_id})
    assert h.editor.text(uri) == "# typed during review\n" + TWO_HUNKS_OLD


async def test_overlapping_typing_during_review_is_a_conflict(start_agent: StartAgent) -> None:
    h = await start_agent(write_two_hunks(), init_options={"clientReview": True})
    (h.workspace / "hello.py").write_text(TWO_HUNKS_OLD)
    uri = h.editor.open(h.workspace / "hello.py")
    session_id, proposal = await review_proposal(h, uri)
    typed = TWO_HUNKS_OLD.replace("a = 1", "a = 'user'")
    h.editor.type(uri, typed)
    await h.command("lspAgent.acceptEdits", {"proposalId": proposal["proposalId"]})
    answer = await decided(h, proposal["proposalId"])
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
            read_step(),
            {**write, "fail": {"after": 1, "mode": "hold"}},
            write,  # the retry after the held connection drops
            {"content": [{"type": "text", "text": "The file changed; stopping."}]},
        ]
    )
    (h.workspace / "hello.py").write_text(HELLO)
    uri = h.editor.open(h.workspace / "hello.py")
    result = await h.command(
        "lspAgent.fixDiagnostics", {"uri": uri, "diagnostics": [plain_diagnostic()]}
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
            read_step(),
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
        read_then_edit("'🎉 文字'", "'🎉 文字 ok'"), init_options={"permissionMode": "acceptEdits"}
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


async def test_the_lsp_tool_reads_the_position_from_the_unsaved_buffer(
    start_agent: StartAgent, workspace: Path
) -> None:
    (workspace / "hello.py").write_text(HELLO + "\n\ndef caller():\n    return greet()\n")
    where = {"filePath": "hello.py", "line": 7, "character": 12}  # line 6 on disk
    h = await start_agent(
        [
            {
                "content": [
                    {
                        "type": "tool_use",
                        "name": "LSP",
                        "input": {"operation": "goToDefinition", **where},
                    }
                ]
            },
            {
                "content": [
                    {
                        "type": "tool_use",
                        "name": "LSP",
                        "input": {"operation": "findReferences", **where},
                    }
                ]
            },
            {"content": [{"type": "text", "text": "greet is defined on line 1"}]},
        ]
    )
    await wait_for_log(h.client, "index ready")
    unsaved = HELLO + "\n\ndef caller():\n    x = 1\n    return greet()\n"
    uri = h.editor.open(workspace / "hello.py", unsaved)
    result = await h.command("lspAgent.ask", {"uri": uri, "prompt": "Where is greet defined?"})
    await h.editor.done(result["sessionId"])
    found, used = h.tool_results()
    assert not found.get("is_error"), found
    assert found["content"] == "function greet hello.py:1:5: def greet():"
    # The server's index answers references too, the buffer's own uses in place of the disk's.
    assert not used.get("is_error"), used
    assert "hello.py:7:12" in used["content"] and "hello.py:6:" not in used["content"]


async def test_an_ask_rule_still_asks_in_accept_edits_mode(
    start_agent: StartAgent, workspace: Path
) -> None:
    (workspace / ".claude").mkdir()
    rules = {"permissions": {"ask": ["Edit(secrets.py)"]}}
    (workspace / ".claude" / "settings.json").write_text(json.dumps(rules))
    (workspace / "secrets.py").write_text("TOKEN = 'old'\n")
    h = await start_agent(
        [
            read_step("secrets.py"),
            {
                "content": [
                    {
                        "type": "tool_use",
                        "name": "Edit",
                        "input": {
                            "file_path": "{cwd}/secrets.py",
                            "old_string": "'old'",
                            "new_string": "'new'",
                        },
                    }
                ]
            },
            {"content": [{"type": "text", "text": "done"}]},
        ],
        init_options={"permissionMode": "acceptEdits"},
    )
    h.editor.answer = lambda params: "Deny"
    uri = h.editor.open(workspace / "secrets.py")
    result = await h.command("lspAgent.ask", {"uri": uri, "prompt": "rotate"})
    await h.editor.done(result["sessionId"])
    [prompt] = h.editor.prompts
    assert "secrets.py" in prompt.message
    assert h.editor.text(uri) == "TOKEN = 'old'\n" and h.editor.applied_edits == []


async def test_a_new_file_the_client_cannot_create_is_asked_about_first(
    start_agent: StartAgent, workspace: Path
) -> None:
    capabilities = client_capabilities("visual-studio-code")
    assert capabilities.workspace and capabilities.workspace.workspace_edit
    capabilities.workspace.workspace_edit.resource_operations = []  # annotations, no CreateFile
    h = await start_agent(
        [
            {
                "content": [
                    {
                        "type": "tool_use",
                        "name": "Write",
                        "input": {"file_path": "{cwd}/new_module.py", "content": "VALUE = 1\n"},
                    }
                ]
            },
            {"content": [{"type": "text", "text": "created"}]},
        ],
        capabilities=capabilities,
    )
    h.editor.answer = lambda params: "Reject"
    (workspace / "hello.py").write_text(HELLO)
    uri = h.editor.open(workspace / "hello.py")
    result = await h.command("lspAgent.ask", {"uri": uri, "prompt": "add a module"})
    await h.editor.done(result["sessionId"])
    [prompt] = h.editor.prompts
    assert "create new_module.py" in prompt.message
    assert not (workspace / "new_module.py").exists()


async def decided(h: Harness, proposal_id: str) -> dict[str, Any]:
    """The stream's outcome of a proposal (`lspAgent.acceptEdits` answers before it lands)."""
    return await h.editor.wait_for(
        lambda e: (
            e["kind"] == "proposal" and e["proposalId"] == proposal_id and e["status"] != "pending"
        )
    )
