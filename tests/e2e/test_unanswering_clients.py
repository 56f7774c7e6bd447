"""Clients that cannot (or never) answer do not hang a run: the edit's Apply/Reject question and
workspace/applyEdit time out like permission prompts, a client that declares `applyEdit: false`
gets no edit at all (the model hears why, the user is told once), and a cancelled run ends its
pending proposal as cancelled."""

from __future__ import annotations

from pytest_lsp import client_capabilities

from tests.e2e.agent_harness import HELLO, StartAgent, read_then_edit


async def test_an_unanswered_edit_question_times_out(start_agent: StartAgent) -> None:
    h = await start_agent(
        read_then_edit("print('hello')", "print('hi')"),
        capabilities="neovim",  # applies edits at once: asked with Apply/Reject first
        init_options={"permissionPromptTimeout": 1},
    )
    h.editor.silent = True
    (h.workspace / "hello.py").write_text(HELLO)
    uri = h.editor.open(h.workspace / "hello.py")
    result = await h.command("lspAgent.ask", {"uri": uri, "prompt": "fix it"})
    done = await h.editor.done(result["sessionId"])
    assert done["subtype"] == "success"
    assert "no answer from the editor within 1 s" in h.tool_results()[-1]["content"]
    assert h.editor.applied_edits == [] and h.editor.text(uri) == HELLO
    statuses = [e["status"] for e in h.editor.stream if e["kind"] == "proposal"]
    assert statuses == ["pending", "rejected"]
    h.editor.release()


async def test_a_client_without_apply_edit_gets_no_edit(start_agent: StartAgent) -> None:
    capabilities = client_capabilities("visual-studio-code")
    assert capabilities.workspace is not None
    capabilities.workspace.apply_edit = False
    h = await start_agent(
        read_then_edit("print('hello')", "print('hi')"),
        capabilities=capabilities,
        init_options={"permissionMode": "acceptEdits"},
    )
    (h.workspace / "hello.py").write_text(HELLO)
    uri = h.editor.open(h.workspace / "hello.py")
    result = await h.command("lspAgent.ask", {"uri": uri, "prompt": "fix it"})
    done = await h.editor.done(result["sessionId"])
    assert done["subtype"] == "success"
    assert h.editor.applied_edits == []  # never sent: it would never be answered
    assert "does not accept edits from the language server" in h.tool_results()[-1]["content"]
    told = [m.message for m in h.client.messages if "does not take edits" in m.message]
    assert len(told) == 1


async def test_an_unanswered_apply_edit_times_out(start_agent: StartAgent) -> None:
    h = await start_agent(
        read_then_edit("print('hello')", "print('hi')"),
        init_options={"permissionMode": "acceptEdits", "permissionPromptTimeout": 1},
    )
    h.editor.silent = True
    (h.workspace / "hello.py").write_text(HELLO)
    uri = h.editor.open(h.workspace / "hello.py")
    result = await h.command("lspAgent.ask", {"uri": uri, "prompt": "fix it"})
    done = await h.editor.done(result["sessionId"])
    assert done["subtype"] == "success"
    assert "did not answer the edit within 1 s" in h.tool_results()[-1]["content"]
    h.editor.release()


async def test_a_cancelled_run_ends_its_pending_proposal(start_agent: StartAgent) -> None:
    h = await start_agent(
        read_then_edit("print('hello')", "print('hi')"), init_options={"clientReview": True}
    )
    (h.workspace / "hello.py").write_text(HELLO)
    uri = h.editor.open(h.workspace / "hello.py")
    result = await h.command("lspAgent.ask", {"uri": uri, "prompt": "fix it"})
    pending = await h.editor.wait_for(lambda e: e["kind"] == "proposal")
    await h.command("lspAgent.cancel", {"sessionId": result["sessionId"]})
    ended = await h.editor.wait_for(lambda e: e["kind"] == "proposal" and e["status"] != "pending")
    assert ended["proposalId"] == pending["proposalId"] and ended["status"] == "cancelled"
    await h.editor.done(result["sessionId"])
    assert h.editor.text(uri) == HELLO
