"""Code actions and command arguments."""

from __future__ import annotations

from typing import Any

import pytest
from lsprotocol import types

from tests.e2e.agent_harness import (
    HELLO,
    StartAgent,
    diagnostic,
    structure_code_action_items,
)


async def test_code_actions_offer_a_fix_per_diagnostic_and_the_general_actions(
    start_agent: StartAgent,
) -> None:
    h = await start_agent([], init_options={"clientPrompt": True})
    structure_code_action_items(h.client)
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


@pytest.mark.parametrize(
    ("command", "argument", "needle"),
    [
        ("lspAgent.ask", {"uri": "file:///nowhere/x.py", "prompt": "hi"}, "no such document"),
        ("lspAgent.ask", {"uri": "{uri}"}, "needs a 'prompt'"),
        ("lspAgent.ask", {"uri": "{uri}", "prompt": "x", "action": "dance"}, "unknown action"),
        ("lspAgent.fixDiagnostics", {"uri": "{uri}"}, "no diagnostics"),
        (
            "lspAgent.fixDiagnostics",
            {"uri": "{uri}", "diagnostics": [{"message": "x", "range": 3}]},
            "must be a list of LSP Diagnostics",
        ),
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
