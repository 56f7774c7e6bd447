"""The engine's `can_use_tool` in the editor: ask the user with `window/showMessageRequest`.

Edits the user reviews as proposals never get here: the engine's permission gate knows the
edit sink reviews them (edits.py). The question and its answer reach the stream as the engine's
`permission` events.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, Protocol

from lsprotocol import types

from lsp_agent.agent.ports import PermissionResult
from lsp_agent.server import questions as client_questions
from lsp_agent.server.reporter import tool_title

if TYPE_CHECKING:
    from lsp_agent.agent.claude.trust import Answer
    from lsp_agent.settings import Settings

logger = logging.getLogger(__name__)


class Asker(Protocol):
    """What the prompts use of the server: its settings (the prompt timeout) and the client's
    message requests."""

    @property
    def settings(self) -> Settings: ...

    async def window_show_message_request_async(
        self, params: types.ShowMessageRequestParams
    ) -> types.MessageActionItem | None: ...

    def window_show_message(self, params: types.ShowMessageParams) -> None: ...

    # A client declaring `clientQuestions` answers AskUserQuestion itself (questions.py).
    initialization_options: Any

    async def custom_request(self, method: str, params: Any) -> Any: ...


ALLOW_ONCE, ALLOW_SESSION, DENY = "Allow once", "Allow for this session", "Deny"
# ExitPlanMode: the choices Claude Code offers when a plan is presented, and the mode each sets.
PLAN_CHOICES = {
    "Approve and accept edits": "acceptEdits",
    "Approve (review each edit)": "default",
    "Keep planning": None,
}
MAX_PLAN_CHARS = 3000
TRUST, NOT_NOW = "Trust", "Not now"


class PermissionPrompter:
    def __init__(self, server: Asker) -> None:
        self.server = server

    async def __call__(
        self, tool: str, tool_input: dict[str, Any], reason: str
    ) -> PermissionResult:
        if tool == "ExitPlanMode":
            return await self._plan(str(tool_input.get("plan", "")))
        if tool == "AskUserQuestion":
            return await self._questions(tool_input.get("questions") or [])
        title = tool_title(tool, tool_input)
        params = types.ShowMessageRequestParams(
            type=types.MessageType.Warning,
            message=f"Claude wants to run {title}\n({reason})",
            actions=[types.MessageActionItem(t) for t in (ALLOW_ONCE, ALLOW_SESSION, DENY)],
        )
        timeout = self.server.settings.permissionPromptTimeout
        try:
            async with asyncio.timeout(timeout):
                answer = await self.server.window_show_message_request_async(params)
        except TimeoutError:
            return PermissionResult(
                "deny", message=f"No answer from the user within {timeout:g} s."
            )
        choice = answer.title if answer is not None else DENY
        if choice not in (ALLOW_ONCE, ALLOW_SESSION):
            return PermissionResult("deny", message=f"The user denied this {tool} call.")
        return PermissionResult("allow", remember=choice == ALLOW_SESSION)

    async def _questions(self, questions: list[dict[str, Any]]) -> PermissionResult:
        """Through the client's own picker when it declares one (questions.py), else each
        question as a `window/showMessageRequest` whose actions are its options (the
        descriptions in the message). A plain request takes one choice: a multi-select question
        gets one answer there, and there is no free-text answer."""
        if client_questions.client_asks_questions(self.server.initialization_options):
            timeout = self.server.settings.permissionPromptTimeout
            try:
                picked = await client_questions.ask(self.server, questions, timeout)
            except client_questions.Unanswered:
                pass  # the client failed its own request: its message requests still work
            else:
                if picked is None:
                    return PermissionResult("deny", message="the user dismissed the question")
                return PermissionResult("allow", updated_input={"answers": picked})
        answers: dict[str, str] = {}
        for question in questions:
            options = [str(o.get("label", "")) for o in question.get("options", [])]
            described = [
                f"- {o.get('label', '')}: {o['description']}"
                for o in question.get("options", [])
                if o.get("description")
            ]
            header = f"{question['header']}: " if question.get("header") else ""
            params = types.ShowMessageRequestParams(
                type=types.MessageType.Info,
                message="\n".join([f"Claude asks: {header}{question['question']}", *described]),
                actions=[types.MessageActionItem(label) for label in options],
            )
            answer = await _ask(self.server, params)
            if answer is None or answer is TIMED_OUT:
                return PermissionResult("deny", message="the user dismissed the question")
            answers[str(question["question"])] = answer.title
        return PermissionResult("allow", updated_input={"answers": answers})

    async def _plan(self, plan: str) -> PermissionResult:
        """Plan mode ends only when the user approves the plan; the answer picks the next mode."""
        shown = plan if len(plan) <= MAX_PLAN_CHARS else plan[:MAX_PLAN_CHARS] + "\n..."
        params = types.ShowMessageRequestParams(
            type=types.MessageType.Info,
            message=f"Claude's plan:\n\n{shown}\n\nApprove it and let Claude make changes?",
            actions=[types.MessageActionItem(title) for title in PLAN_CHOICES],
        )
        answer = await _ask(self.server, params)
        mode = PLAN_CHOICES.get(answer.title) if answer is not None else None
        if mode is None:
            return PermissionResult("deny", message="The user wants to keep planning.")
        return PermissionResult("allow", updated_input={"plan": plan, "mode": mode})


TIMED_OUT = types.MessageActionItem(title="")  # what _ask returns when nobody answered in time


async def _ask(
    server: Asker, params: types.ShowMessageRequestParams
) -> types.MessageActionItem | None:
    """The user's choice, None if dismissed, TIMED_OUT after `permissionPromptTimeout`."""
    try:
        async with asyncio.timeout(server.settings.permissionPromptTimeout):
            return await server.window_show_message_request_async(params)
    except TimeoutError:
        return TIMED_OUT


class ProjectPrompts:
    """What loading the user's `.claude/` setup needs from the editor: approval of project MCP
    servers (asked once; the engine remembers the answer) and a place to report problems."""

    def __init__(self, server: Asker) -> None:
        self.server = server

    async def approve_mcp_server(self, config: Any) -> bool:
        what = config.url or " ".join([config.command, *config.args])
        params = types.ShowMessageRequestParams(
            type=types.MessageType.Warning,
            message=f"The project's .mcp.json wants to start the MCP server '{config.name}': "
            f"{what}. Allow it?",
            actions=[types.MessageActionItem("Allow"), types.MessageActionItem("Deny")],
        )
        answer = await _ask(self.server, params)
        return answer is not None and answer.title == "Allow"

    async def trust(self, root: Any, supplied: list[str]) -> Answer | None:
        """Ask once whether to trust the folder, showing what would take effect: "trusted",
        "untrusted" (Not now, remembered), or None when the question went unanswered."""
        shown = "\n".join(f"- {line}" for line in supplied)
        params = types.ShowMessageRequestParams(
            type=types.MessageType.Warning,
            message=f"Do you trust the folder {root}? Its own settings would run code or widen "
            f"Claude's permissions:\n{shown}\nUntil you trust it, none of this takes effect "
            "(its deny and ask rules still do).",
            actions=[types.MessageActionItem(TRUST), types.MessageActionItem(NOT_NOW)],
        )
        answer = await _ask(self.server, params)
        if answer is None or answer.title not in (TRUST, NOT_NOW):
            return None
        return "trusted" if answer.title == TRUST else "untrusted"

    def problem(self, message: str) -> None:
        logger.warning("%s", message)
        self.server.window_show_message(
            types.ShowMessageParams(type=types.MessageType.Warning, message=f"lsp-agent: {message}")
        )
