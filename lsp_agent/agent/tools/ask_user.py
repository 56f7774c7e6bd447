"""AskUserQuestion: the model asks the user multiple-choice questions and waits for the answers.

The host is asked through the same callback as permission prompts (`can_use_tool`), with the
tool name "AskUserQuestion"; it answers with `updated_input={"answers": {question: answer}}`
(several choices of a multi-select question joined by ", "). Without a host to ask (headless),
the result says so, and the model goes on with its own judgement.
"""

from __future__ import annotations

from typing import Any

from lsp_agent.agent.ports import CanUseTool
from lsp_agent.agent.tools.base import ToolContext, ToolResult

MAX_QUESTIONS = 4


class AskUserQuestionTool:
    name = "AskUserQuestion"
    description = (
        "Ask the user one to four multiple-choice questions when you need their decision "
        "(a preference, an ambiguous requirement, a choice between approaches). Each question "
        "has a short header, 2-4 options with a label and a description, and multiSelect when "
        "several may apply. The user may also answer in their own words."
    )
    input_schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            "questions": {
                "type": "array",
                "minItems": 1,
                "maxItems": MAX_QUESTIONS,
                "items": {
                    "type": "object",
                    "properties": {
                        "question": {"type": "string"},
                        "header": {"type": "string"},
                        "options": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "label": {"type": "string"},
                                    "description": {"type": "string"},
                                },
                                "required": ["label"],
                            },
                        },
                        "multiSelect": {"type": "boolean"},
                    },
                    "required": ["question", "options"],
                },
            },
            "answers": {"type": "object", "description": "Filled in by the user's answers"},
        },
        "required": ["questions"],
        "additionalProperties": False,
    }
    read_only = False

    def __init__(self, ask: CanUseTool | None) -> None:
        self.ask = ask

    async def run(self, tool_input: dict[str, Any], ctx: ToolContext) -> ToolResult:
        questions = tool_input.get("questions")
        problem = _problem(questions)
        if problem:
            return ToolResult(f"AskUserQuestion: {problem}", is_error=True)
        if self.ask is None:
            return ToolResult(
                "No one can answer questions in this session (it runs without an interactive "
                "user). Go on with your best judgement and state the assumptions you made."
            )
        answer = await self.ask(self.name, {"questions": questions}, "Claude has a question")
        answers = (
            (answer.updated_input or {}).get("answers") if answer.behavior == "allow" else None
        )
        if not isinstance(answers, dict) or not answers:
            why = f" ({answer.message})" if answer.message else ""
            return ToolResult(
                f"The user did not answer{why}. Ask in your reply instead, or go on with your "
                "best judgement and say so."
            )
        pairs = ", ".join(f'"{q}"="{a}"' for q, a in answers.items())
        return ToolResult(
            f"User has answered your questions: {pairs}. You can now continue with the user's "
            "answers in mind."
        )


def _problem(questions: Any) -> str:
    """What is wrong with `questions`, naming the field ("" when nothing is)."""
    if not isinstance(questions, list) or not 1 <= len(questions) <= MAX_QUESTIONS:
        return f"`questions` must be a list of 1 to {MAX_QUESTIONS} questions"
    for i, question in enumerate(questions):
        if not isinstance(question, dict) or not isinstance(question.get("question"), str):
            return f"`questions[{i}].question` must be a string"
        options = question.get("options")
        if not isinstance(options, list) or not options:
            return f"`questions[{i}].options` must be a non-empty list"
        for j, option in enumerate(options):
            if not isinstance(option, dict) or not isinstance(option.get("label"), str):
                return f"`questions[{i}].options[{j}].label` must be a string"
    return ""
