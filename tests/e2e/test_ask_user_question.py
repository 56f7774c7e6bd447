"""AskUserQuestion in the editor (a picker of the client's own, or each question a
window/showMessageRequest) and headless."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lsprotocol import types

from lsp_agent.agent.claude.extensions import Extensions
from tests.agent.conftest import run_scenario
from tests.e2e.agent_harness import HELLO, StartAgent
from tests.e2e.editor import _plain


def question(text: str, header: str, options: dict[str, str], multi: bool = False) -> Any:
    return {
        "question": text,
        "header": header,
        "options": [{"label": label, "description": d} for label, d in options.items()],
        "multiSelect": multi,
    }


QUESTIONS = [
    question(
        "Which test framework should I use?",
        "Tests",
        {"pytest": "fixtures, plain asserts", "unittest": "the standard library's"},
    )
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


# -- clients with a picker of their own (lspAgent/askQuestions, server/questions.py) --------

TWO_QUESTIONS = [
    *QUESTIONS,
    question("Which checks should run?", "Checks", {"ruff": "lint", "mypy": "types"}, multi=True),
]
ASK_TWO = {
    "content": [
        {"type": "tool_use", "name": "AskUserQuestion", "input": {"questions": TWO_QUESTIONS}}
    ]
}
PICKER = {"clientQuestions": True}


async def ask_in_picker(start_agent: StartAgent, reply: Any) -> tuple[Any, list[Any], str]:
    """Run AskUserQuestion against a client declaring a picker whose answer is `reply(params)`:
    what the picker got, the message requests sent, and the tool result."""
    h = await start_agent([ASK_TWO, DONE], init_options=PICKER)
    got: list[Any] = []

    @h.client.feature("lspAgent/askQuestions")
    async def picker(params: Any) -> Any:
        got.append(_plain(params))
        return reply(got[-1])

    h.editor.answer = lambda params: "pytest"
    (h.workspace / "hello.py").write_text(HELLO)
    uri = h.editor.open(h.workspace / "hello.py")
    result = await h.command("lspAgent.ask", {"uri": uri, "prompt": "add tests"})
    await h.editor.done(result["sessionId"])
    [tool_result] = h.tool_results()
    return got, h.editor.prompts, tool_result["content"]


async def test_a_picker_client_gets_every_option_and_answers_in_its_own_words(
    start_agent: StartAgent,
) -> None:
    answers = [
        "hypothesis, on top of pytest",  # "Other", in the user's words
        "ruff, mypy",  # both options of the multi-select question
    ]
    got, prompts, content = await ask_in_picker(start_agent, lambda p: {"answers": answers})
    [params] = got
    asked = params["questions"]
    assert [q["multiSelect"] for q in asked] == [False, True]
    assert asked[1]["options"] == [
        {"label": "ruff", "description": "lint"},
        {"label": "mypy", "description": "types"},
    ]
    assert asked[0]["header"] == "Tests"
    assert prompts == []  # no message request besides the picker
    assert '"Which test framework should I use?"="hypothesis, on top of pytest"' in content
    assert '"Which checks should run?"="ruff, mypy"' in content


async def test_a_dismissed_picker_tells_the_model(start_agent: StartAgent) -> None:
    half = {"answers": ["pytest"]}  # the picker was closed at the second question
    for reply in (lambda p: None, lambda p: half):
        got, prompts, content = await ask_in_picker(start_agent, reply)
        assert len(got) == 1 and prompts == []
        assert "The user did not answer" in content and "dismissed" in content


async def test_a_picker_that_fails_falls_back_to_message_requests(
    start_agent: StartAgent,
) -> None:
    def broken(params: Any) -> Any:
        raise ValueError("no picker here after all")

    got, prompts, content = await ask_in_picker(start_agent, broken)
    assert len(got) == 1
    assert [p.message.splitlines()[0] for p in prompts] == [
        "Claude asks: Tests: Which test framework should I use?",
        "Claude asks: Checks: Which checks should run?",
    ]
    assert '"Which test framework should I use?"="pytest"' in content
