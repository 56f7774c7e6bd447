"""AskUserQuestion in clients that show a picker of their own: the `lspAgent/askQuestions`
request.

`window/showMessageRequest` offers buttons only: one choice, no option descriptions beside the
choices, no free text. A client that can do better (the VS Code extension, the Neovim plugin)
declares `initializationOptions.clientQuestions: true` and answers

    lspAgent/askQuestions {questions: [{question, header, options: [{label, description}],
                                        multiSelect}]}
    -> {answers: [<answer>, ...]} | null (dismissed)

with one answer per question, in order: an option's label, several labels joined by ", "
(multi-select), or the user's own words ("Other"). A list rather than an object keyed by the
questions, because pygls turns a reply's objects into named tuples, which cannot keep keys such
as "Which one?". Plain clients keep the message requests of prompts.py.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

logger = logging.getLogger(__name__)

ASK_QUESTIONS = "lspAgent/askQuestions"
CAPABILITY = "clientQuestions"  # the initializationOptions key a client declares it with


class Unanswered(Exception):
    """The client could not take the request (an error, or a reply that is not an answer):
    ask with plain message requests instead."""


class CustomRequester(Protocol):
    initialization_options: Any

    async def custom_request(self, method: str, params: Any) -> Any: ...


def client_asks_questions(options: Any) -> bool:
    return isinstance(options, dict) and options.get(CAPABILITY) is True


async def ask(
    client: CustomRequester, questions: list[dict[str, Any]], timeout: float
) -> dict[str, str] | None:
    """The user's answers by question, or None when they dismissed the picker (or did not
    answer within `timeout`). Raises Unanswered when the client failed the request."""
    params = {"questions": [_plain(q) for q in questions]}
    try:
        async with asyncio.timeout(timeout):
            reply = await client.custom_request(ASK_QUESTIONS, params)
    except TimeoutError:
        return None
    except Exception as exc:  # the client's error response: fall back, do not fail the run
        logger.warning("%s failed: %s", ASK_QUESTIONS, exc)
        raise Unanswered(str(exc)) from None
    if reply is None:
        return None
    try:
        return _answers(reply, [str(q["question"]) for q in questions])
    except Unanswered as bad:
        logger.warning("%s: %s", ASK_QUESTIONS, bad)
        raise


def _plain(question: dict[str, Any]) -> dict[str, Any]:
    """The question as the client gets it: every field present, of the right type."""
    return {
        "question": str(question["question"]),
        "header": str(question.get("header") or ""),
        "options": [
            {"label": str(o.get("label", "")), "description": str(o.get("description") or "")}
            for o in question.get("options", [])
        ],
        "multiSelect": question.get("multiSelect") is True,
    }


def _answers(reply: Any, asked: list[str]) -> dict[str, str] | None:
    answers = reply.get("answers") if isinstance(reply, dict) else None
    if not isinstance(answers, list) or not all(isinstance(a, str) for a in answers):
        raise Unanswered(f"the reply's `answers` is not a list of strings: {reply!r}")
    kept = {q: a.strip() for q, a in zip(asked, answers, strict=False) if a.strip()}
    # A picker closed half-way answers some questions: the model hears it was dismissed.
    return kept if len(kept) == len(asked) else None
