"""Compaction: when the conversation nears the model's context window (or on `/compact`), a
model-written summary replaces the history.

The loop calls `should_compact` after each model response with that response's usage, and
`compact` when it says so (trigger "auto") or on `/compact [instructions]` (trigger "manual").
`compact` runs the PreCompact hooks, asks the model (through the `query` callable the loop
provides) for a summary of the conversation rendered as text, and returns the new one-message
history plus the boundary record for the transcript. The loop then re-reads CLAUDE.md (it
rebuilds the system prompt), writes the boundary and the new message, and carries on; resuming
a session starts from its last boundary.

The conversation is sent as a text rendering rather than as API messages, so the summary request
has no tool or thinking-block constraints, and long tool results are cut to keep it well
inside the window.
"""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from lsp_agent.agent.claude.hooks import HookRunner
from lsp_agent.agent.model.names import native_long_context

DEFAULT_CONTEXT_WINDOW = 200_000
LONG_CONTEXT_WINDOW = 1_000_000  # models named with a "[1m]" suffix, and the 5 generation's
AUTO_COMPACT_FRACTION = 0.8
MAX_RESULT_CHARS = 2_000  # per tool result in the rendering
SUMMARY_MAX_TOKENS = 8_000
BOUNDARY = "compact_boundary"

SUMMARY_SYSTEM = "You are a helpful AI assistant tasked with summarizing conversations."
SUMMARY_PROMPT = """\
Your task is to create a detailed summary of the conversation above, so that the work can \
continue without it. Capture the user's explicit requests and intent, the key technical \
decisions and concepts, the files examined or changed (with the important code snippets), \
errors met and how they were fixed, what has been completed, what is pending, and the task \
being worked on right now, with the next step if there is one. Quote the user's most recent \
instructions verbatim. Reply with the summary only."""
CONTINUATION = (
    "This session is being continued from a previous conversation that ran out of context. "
    "The conversation is summarized below:\n\n"
)
RESUME_WORK = (
    "\n\nContinue the conversation from where it left off without asking the user any further "
    "questions. Continue with the last task that you were asked to work on."
)

SummaryQuery = Callable[[dict[str, Any]], Awaitable[str]]
"""Sends one Messages API request (without `stream`, which the client adds) and returns the
assistant's text."""


def context_window(model: str) -> int:
    if model.endswith("[1m]") or native_long_context(model):
        return LONG_CONTEXT_WINDOW
    return DEFAULT_CONTEXT_WINDOW


def auto_compact_fraction() -> float:
    """Claude Code's `CLAUDE_AUTOCOMPACT_PCT_OVERRIDE` (a percentage) overrides the default."""
    try:
        percent = float(os.environ["CLAUDE_AUTOCOMPACT_PCT_OVERRIDE"])
    except (KeyError, ValueError):
        return AUTO_COMPACT_FRACTION
    return min(max(percent, 1.0), 100.0) / 100


def context_tokens(usage: dict[str, int]) -> int:
    """How much of the window the conversation fills, from the last response's usage."""
    keys = ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")
    return sum(usage.get(k, 0) for k in keys) + usage.get("output_tokens", 0)


def should_compact(
    usage: dict[str, int], model: str, fraction: float | None = None, window: int | None = None
) -> bool:
    limit = (window or context_window(model)) * (fraction or auto_compact_fraction())
    return context_tokens(usage) >= limit


@dataclass
class CompactResult:
    messages: list[dict[str, Any]]  # the new history: one user message with the summary
    summary: str
    boundary: dict[str, Any]  # the transcript record, written before the new message
    user_messages: list[str] = field(default_factory=list)  # from PreCompact hooks
    blocked: bool = False  # a PreCompact hook blocked it: nothing was summarized


async def compact(
    messages: list[dict[str, Any]],
    *,
    query: SummaryQuery,
    model: str,
    trigger: str = "auto",
    instructions: str = "",
    hooks: HookRunner | None = None,
    pre_tokens: int = 0,
) -> CompactResult:
    notes: list[str] = []
    if hooks is not None:
        payload = {"trigger": trigger, "custom_instructions": instructions}
        outcome = await hooks.run("PreCompact", payload, trigger)
        notes = outcome.user_messages()
        if outcome.blocked:  # exit 2 or `decision: "block"`: no compaction this time
            notes.append(f"compaction blocked by a PreCompact hook: {outcome.reason}".strip())
            return CompactResult(messages, "", {}, notes, blocked=True)
    summary = (await query(summary_request(messages, model, instructions))).strip()
    if hooks is not None:
        payload = {"trigger": trigger, "compact_summary": summary}
        notes += (await hooks.run("PostCompact", payload, trigger)).user_messages()
    text = CONTINUATION + summary + (RESUME_WORK if trigger == "auto" else "")
    boundary = {"type": BOUNDARY, "trigger": trigger, "pre_tokens": pre_tokens}
    new = [{"role": "user", "content": [{"type": "text", "text": text}]}]
    return CompactResult(new, summary, boundary, notes)


def summary_request(
    messages: list[dict[str, Any]], model: str, instructions: str = ""
) -> dict[str, Any]:
    prompt = f"<conversation>\n{render(messages)}\n</conversation>\n\n{SUMMARY_PROMPT}"
    if instructions:
        prompt += f"\n\nAdditional instructions from the user: {instructions}"
    return {
        "model": model,
        "max_tokens": SUMMARY_MAX_TOKENS,
        "system": [{"type": "text", "text": SUMMARY_SYSTEM}],
        "messages": [{"role": "user", "content": [{"type": "text", "text": prompt}]}],
    }


def render(messages: list[dict[str, Any]]) -> str:
    """The conversation as readable text: who said what, which tools ran with what result."""
    parts = []
    for message in messages:
        content = message.get("content")
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
        for block in blocks or []:
            line = _render_block(block)
            if line:
                parts.append(f"{message['role'].capitalize()}: {line}")
    return "\n\n".join(parts)


def _render_block(block: dict[str, Any]) -> str:
    kind = block.get("type")
    if kind == "text":
        return str(block.get("text", ""))
    if kind == "tool_use":
        return f"[called {block.get('name')} with {json.dumps(block.get('input'))}]"
    if kind == "tool_result":
        text = _result_text(block.get("content"))
        if len(text) > MAX_RESULT_CHARS:
            text = text[:MAX_RESULT_CHARS] + f" [... {len(text) - MAX_RESULT_CHARS} chars cut]"
        status = "error" if block.get("is_error") else "result"
        return f"[tool {status}: {text}]"
    if kind == "image":
        return "[image]"
    return ""  # thinking blocks are the model's scratch work, not the conversation


def _result_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            _render_block(b) if b.get("type") != "text" else b["text"] for b in content
        )
    return ""


def messages_after_boundary(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The API messages of a transcript's records, starting after its last compact boundary
    (what a resumed session continues from)."""
    messages: list[dict[str, Any]] = []
    for record in records:
        if record.get("type") == BOUNDARY:
            messages = []
        elif record.get("type") == "message":
            messages.append(record["message"])
    return messages
