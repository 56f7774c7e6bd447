"""Code actions as different clients see them: clients that send a server only its own
diagnostics still get "Fix with Claude" for what they forwarded, and each action is offered
only to clients that can run it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lsprotocol import types

from tests.e2e.agent_harness import HELLO, StartAgent, diagnostic, structure_code_action_items
from tests.e2e.rawlsp import RawPeer

FORWARDED = "greeting too short"


def forwarded(line: int, message: str) -> dict[str, Any]:
    at = {"start": {"line": line, "character": 4}, "end": {"line": line, "character": 9}}
    return {"range": at, "message": message, "source": "otherlint"}


async def code_actions(
    h: Any, uri: str, line: int, diagnostics: list[types.Diagnostic] | None = None
) -> list[Any]:
    result = await h.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri),
            range=types.Range(types.Position(line, 0), types.Position(line, 3)),
            context=types.CodeActionContext(diagnostics=diagnostics or []),
        )
    )
    return list(result or [])


async def test_fix_offered_for_forwarded_diagnostics_the_client_did_not_send(
    start_agent: StartAgent,
) -> None:
    h = await start_agent([{"content": [{"type": "text", "text": "Fixed."}]}])
    structure_code_action_items(h.client)
    (h.workspace / "hello.py").write_text(HELLO)
    uri = h.editor.open(h.workspace / "hello.py")
    h.client.protocol.notify(
        "lspAgent/diagnostics",
        {"uri": uri, "diagnostics": [forwarded(1, FORWARDED), forwarded(0, "not on line 1")]},
    )
    # A client like Vim's yegappan/lsp sends only this server's own diagnostics: none.
    actions = await code_actions(h, uri, 1)
    fixes = [a for a in actions if a.title.startswith("Fix with Claude")]
    assert [a.title for a in fixes] == [f"Fix with Claude: {FORWARDED}"]
    assert fixes[0].kind == types.CodeActionKind.QuickFix
    assert [d.message for d in fixes[0].diagnostics] == [FORWARDED]

    # One the client sends as well is offered once, as the client sent it.
    sent = diagnostic(1, FORWARDED)
    both = await code_actions(h, uri, 1, [sent, diagnostic(1, "own finding")])
    assert [a.title for a in both if a.title.startswith("Fix with Claude")] == [
        f"Fix with Claude: {FORWARDED}",
        "Fix with Claude: own finding",
    ]

    # The action's command runs as it is and the model sees the diagnostic.
    command = fixes[0].command
    result = await h.command(command.command, command.arguments[0])
    await h.editor.done(result["sessionId"])
    assert FORWARDED in str(h.fake.requests[0].body["messages"])


async def test_ask_is_offered_only_to_clients_that_ask_for_the_prompt(
    start_agent: StartAgent,
) -> None:
    """A plain client has no way to ask the user for text, so "Ask Claude..." (which needs a
    prompt) would only fail there; the actions it can run are offered all the same."""
    for options, offered in ((None, False), ({"clientPrompt": True}, True)):
        h = await start_agent([], init_options=options)
        structure_code_action_items(h.client)
        (h.workspace / "hello.py").write_text(HELLO)
        uri = h.editor.open(h.workspace / "hello.py")
        actions = await code_actions(h, uri, 0)
        titles = [a.title for a in actions]
        assert ("Ask Claude..." in titles) is offered, (options, titles)
        assert "Explain with Claude" in titles and "Review this file with Claude" in titles
        needs_prompt = [a for a in actions if a.command.arguments[0].get("action") == "ask"]
        assert len(needs_prompt) == int(offered)
        # clientPrompt describes the client: it is no unknown setting.
        assert (await h.command("lspAgent.settings", {}))["problems"] == []


async def test_bad_params_are_answered_without_a_traceback(
    env: dict[str, str], workspace: Path
) -> None:
    (workspace / "hello.py").write_text(HELLO)
    log = workspace.parent / "server.log"
    with log.open("wb") as stderr:
        peer = await RawPeer.start(env, stderr=stderr.fileno())
        await peer.initialize()
        argument = {"uri": (workspace / "hello.py").as_uri(), "action": "ask"}
        answer = await peer.response(
            peer.request(
                "workspace/executeCommand", {"command": "lspAgent.ask", "arguments": [argument]}
            )
        )
        assert answer["error"]["code"] == -32602
        assert "needs a 'prompt'" in answer["error"]["message"]
        assert await peer.close() == 0
    text = log.read_text()
    assert "needs a 'prompt'" in text and "Traceback" not in text, text
