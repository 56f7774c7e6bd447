"""`prompt` hooks: the hook's prompt (with `$ARGUMENTS` replaced by the event's JSON, else the
JSON appended; `\\$` is a literal `$`) goes to a model in one request, as in Claude Code: the
hook's `model` (an alias such as `haiku` or an id, resolved as everywhere else), by default the
small fast model. The model must answer JSON `{"ok": true}` or `{"ok": false, "reason": ...}`
(with `impossible: true` when the condition can never hold). Anything else is a non-blocking
error. The request counts in the session's cost.

What `ok: false` does depends on the event (Claude Code's hooks reference, "Response schema");
`verdict_output` turns it into the command-hook JSON with that effect:
- Stop, SubagentStop: the reason is the agent's next instruction, unless `impossible`.
- PreToolUse: the call is denied and the turn ends, the reason shown to the user; with
  `continueOnBlock: true` the reason goes to the model as the tool error and the turn goes on.
- PostToolUse: the turn ends (reason to the user); `continueOnBlock: true` feeds it back instead.
- PostToolUseFailure: fed back to the model, whatever `continueOnBlock` says.
- PostToolBatch, UserPromptSubmit: the turn ends with the reason as a warning.
- PermissionRequest, PermissionDenied: no effect.
An `agent` hook's verdict is read the same way with `continueOnBlock` always on, `impossible`
ignored (claude/hook_agent.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from lsp_agent.agent.claude.hooks_config import HookCommand

# One request (it may name a `model`: an alias or id), the answer's text. Bound by the loop (it
# owns the client, resolves model names, and counts the cost).
AskModel = Callable[[dict[str, Any]], Awaitable[str]]
SYSTEM = (
    "You evaluate one event of a coding agent against the user's instruction. Reply with JSON "
    'only: {"ok": true} when the instruction is satisfied or does not apply, or {"ok": false, '
    '"reason": "<why, addressed to the agent>"} when it is not. Add "impossible": true when '
    "the instruction can never be satisfied."
)
_JSON = re.compile(r"\{.*\}", re.DOTALL)
_ARGUMENTS = re.compile(r"\\\$|\$ARGUMENTS")

# (exit code: None when it could not run, stdout, stderr), as a command hook's.
Answered = tuple[int | None, str, str]


def fill_prompt(prompt: str, event_json: str) -> str:
    """`$ARGUMENTS` replaced by the event's JSON (appended when absent); `\\$` is a plain `$`."""
    used = False

    def fill(match: re.Match[str]) -> str:
        nonlocal used
        if match.group(0) == "$ARGUMENTS":
            used = True
            return event_json
        return "$"

    text = _ARGUMENTS.sub(fill, prompt)
    return text if used else f"{text}\n\nThe event:\n{event_json}"


async def ask_hook(
    hook: HookCommand, event: str, event_json: str, ask: AskModel | None
) -> Answered:
    if ask is None:
        return None, "", "no model is available to a prompt hook here"
    request: dict[str, Any] = {
        "max_tokens": 1024,
        "system": [{"type": "text", "text": SYSTEM}],
        "messages": [
            {
                "role": "user",
                "content": [{"type": "text", "text": fill_prompt(hook.command, event_json)}],
            }
        ],
    }
    if hook.model:
        request["model"] = hook.model
    answer = await ask(request)
    verdict = parse_verdict(answer)
    if verdict is None:
        return 1, "", f'the model did not answer {{"ok": ...}}: {answer.strip()[:200]!r}'
    return 0, verdict_output(event, verdict, continue_on_block=hook.continue_on_block), ""


def parse_verdict(answer: str) -> dict[str, Any] | None:
    """The `{"ok": ...}` object in a model's answer, or None."""
    found = _JSON.search(answer)
    try:
        data = json.loads(found.group(0)) if found else None
    except ValueError:
        return None
    return data if isinstance(data, dict) and isinstance(data.get("ok"), bool) else None


def verdict_output(
    event: str, verdict: dict[str, Any], *, continue_on_block: bool, agent: bool = False
) -> str:
    """The command-hook stdout that has `verdict`'s effect on `event` ("" when none)."""
    if verdict["ok"]:
        return ""
    reason = str(verdict.get("reason") or f"a {'agent' if agent else 'prompt'} hook said no")
    feed_back = agent or continue_on_block
    block = {"decision": "block", "reason": reason}
    end_turn = {"continue": False, "stopReason": reason}
    output: dict[str, Any] = {}
    if event in ("Stop", "SubagentStop"):
        output = {} if verdict.get("impossible") is True and not agent else block
    elif event == "PreToolUse":
        deny = {"permissionDecision": "deny", "permissionDecisionReason": reason}
        output = {"hookSpecificOutput": {"hookEventName": event, **deny}}
        if not feed_back:
            output.update(end_turn)
    elif event == "PostToolUse":
        output = block if feed_back else end_turn
    elif event in ("PostToolUseFailure", "UserPromptSubmit"):
        output = block
    elif event == "PostToolBatch":
        output = end_turn
    return json.dumps(output) if output else ""
