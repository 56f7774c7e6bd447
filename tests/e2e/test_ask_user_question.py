"""AskUserQuestion in the editor (each question a window/showMessageRequest) and headless."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lsprotocol import types

from lsp_agent.agent.claude.extensions import Extensions
from tests.agent.conftest import run_scenario
from tests.e2e.agent_harness import HELLO, StartAgent

QUESTIONS = [
    {
        "question": "Which test framework should I use?",
        "header": "Tests",
        "options": [
            {"label": "pytest", "description": "fixtures, plain asserts"},
            {"label": "unittest", "description": "the standard library's"},
        ],
        "multiSelect": False,
    }
]
ASK = {
    "content": [{"type": "tool_use", "name": "AskUserQuestion", "input": {"questions": QUESTIONS}}]
}
DONE = {"content": [{"type": "text", "text": "Using it."}]}


async def test_the_editor_asks_and_the_model_hears_the_answer(start_agent: StartAgent) -> None:
    h = await start_agent([ASK, DONE])
    asked: list[types.ShowMessageRequestParams] = []

    def answer(params: types.ShowMessageRequestParams) -> str:
        asked.append(params)
        return "pytest"

    h.editor.answer = answer
    (h.workspace / "hello.py").write_text(HELLO)
    uri = h.editor.open(h.workspace / "hello.py")
    result = await h.command("lspAgent.ask", {"uri": uri, "prompt": "add tests"})
    await h.editor.done(result["sessionId"])
    [question] = asked
    assert (
        "Which test framework" in question.message and "fixtures, plain asserts" in question.message
    )
    assert [a.title for a in question.actions or []] == ["pytest", "unittest"]
    [tool_result] = h.tool_results()
    assert '"Which test framework should I use?"="pytest"' in tool_result["content"]


async def test_headless_says_no_one_can_answer(workspace: Path) -> None:
    extensions = await Extensions.load(workspace, trusted=True, mcp=False)  # as ask has them
    run = await run_scenario({"responses": [ASK, DONE]}, workspace, extensions=extensions)
    [result] = run.tool_results()
    assert "No one can answer" in result["content"] and not result.get("is_error")


async def test_bad_questions_name_the_field(workspace: Path) -> None:
    bad: dict[str, Any] = {"questions": [{"question": "Which?", "options": [{"description": "x"}]}]}
    call = {"content": [{"type": "tool_use", "name": "AskUserQuestion", "input": bad}]}
    extensions = await Extensions.load(workspace, trusted=True, mcp=False)
    run = await run_scenario({"responses": [call, DONE]}, workspace, extensions=extensions)
    [result] = run.tool_results()
    assert result["is_error"] and "questions[0].options[0].label" in result["content"]
