"""`agent` hooks: a subagent with read-only tools (Read, Grep, Glob, ...) checks the hook's
condition for up to 50 turns and ends with `{"ok": true}` or `{"ok": false, "reason": ...}`, as
in Claude Code. It runs through the loop's subagent runner (its cost is the session's) on the
hook's `model`, by default the small fast model, with no hooks of its own: a PreToolUse agent
hook must not fire again for its own Read calls. Its verdict is read as a prompt hook's with
`continueOnBlock: true` (claude/hook_prompt.py); a run that fails or ends without that JSON is
a non-blocking error."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from lsp_agent.agent.claude.hook_prompt import Answered, fill_prompt, parse_verdict, verdict_output
from lsp_agent.agent.claude.hooks_config import HookCommand
from lsp_agent.agent.claude.subagents import (
    READ_ONLY_TOOLS,
    AgentDefinition,
    SubagentRequest,
    SubagentRunner,
)
from lsp_agent.agent.ports import CancelToken

MAX_TURNS = 50
VERIFIER = AgentDefinition(
    name="hook-verifier",
    description="Checks one condition for an agent hook",
    prompt=(
        "You verify one condition for a coding agent's hook. Use the tools to look at the "
        "project as much as you need (you cannot change anything). Then reply with JSON only: "
        '{"ok": true} when the condition holds or does not apply, or {"ok": false, "reason": '
        '"<what is wrong, addressed to the agent>"} when it does not.'
    ),
    tools=READ_ONLY_TOOLS,
    max_turns=MAX_TURNS,
    source="hook",
)

# (prompt, model: "" for the small fast model) -> the subagent's final text, or raises
# RuntimeError saying why it could not run. Bound by the session (claude/extensions.py).
RunAgent = Callable[[str, str], Awaitable[str]]


async def ask_agent(
    hook: HookCommand, event: str, event_json: str, run: RunAgent | None
) -> Answered:
    if run is None:
        return None, "", "no subagents can run here, so an agent hook cannot"
    try:
        answer = await run(fill_prompt(hook.command, event_json), hook.model)
    except RuntimeError as exc:
        return 1, "", f"the verifying subagent failed: {exc}"
    verdict = parse_verdict(answer)
    if verdict is None:
        return 1, "", f'the subagent did not answer {{"ok": ...}}: {answer.strip()[:200]!r}'
    return 0, verdict_output(event, verdict, continue_on_block=True, agent=True), ""


def agent_runner(
    run_subagent: SubagentRunner, cancel: Callable[[], CancelToken], fast_model: Callable[[], str]
) -> RunAgent:
    """`RunAgent` over the loop's subagent runner: the verifier, without hooks, on the hook's
    model or else the small fast model."""

    async def run(prompt: str, model: str) -> str:
        request = SubagentRequest(
            VERIFIER,
            prompt,
            "agent hook",
            f"hook_{uuid.uuid4().hex[:12]}",
            cancel(),
            model=model or fast_model() or None,
            verifier=True,
        )
        result = await run_subagent(request)
        if result.is_error:
            raise RuntimeError(result.text)
        return result.text

    return run
