"""`prompt` hooks: the hook's prompt (with `$ARGUMENTS` replaced by the event's JSON, else the
JSON appended) goes to the small fast model in one request, as in Claude Code. The model must
answer with JSON `{"ok": true}` or `{"ok": false, "reason": "..."}`; `ok: false` blocks as a
command hook's `decision: "block"` does (PreToolUse: deny; Stop: keep going with the reason).
Anything else is a non-blocking error. The request counts in the session's cost."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

# One request, the answer's text. Bound by the loop (it owns the client and the cost).
AskModel = Callable[[dict[str, Any]], Awaitable[str]]
SYSTEM = (
    "You evaluate one event of a coding agent against the user's instruction. Reply with JSON "
    'only: {"ok": true} when the instruction is satisfied or does not apply, or {"ok": false, '
    '"reason": "<why, addressed to the agent>"} when it is not.'
)
_JSON = re.compile(r"\{.*\}", re.DOTALL)

# (exit code: None when it could not run, stdout, stderr), as a command hook's.
Answered = tuple[int | None, str, str]


async def ask_hook(prompt: str, event_json: str, ask: AskModel | None) -> Answered:
    if ask is None:
        return None, "", "no model is available to a prompt hook here"
    text = prompt.replace("$ARGUMENTS", event_json)
    if "$ARGUMENTS" not in prompt:
        text = f"{text}\n\nThe event:\n{event_json}"
    request = {
        "max_tokens": 1024,
        "system": [{"type": "text", "text": SYSTEM}],
        "messages": [{"role": "user", "content": [{"type": "text", "text": text}]}],
    }
    answer = await ask(request)
    found = _JSON.search(answer)
    try:
        data = json.loads(found.group(0)) if found else None
    except ValueError:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("ok"), bool):
        return 1, "", f'the model did not answer {{"ok": ...}}: {answer.strip()[:200]!r}'
    if data["ok"]:
        return 0, "", ""
    reason = str(data.get("reason") or "a prompt hook said no")
    return 0, json.dumps({"decision": "block", "reason": reason}), ""
