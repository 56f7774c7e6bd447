"""ExitPlanMode and EnterPlanMode.

ExitPlanMode: in plan mode, presents the model's plan to the user and, once approved, leaves
plan mode so the agent can make changes. EnterPlanMode: the model asks to plan first; plan mode
only restricts (read-only tools), so it is entered without a question.

The host is asked through the same callback as permission prompts (`can_use_tool`), with the
tool name "ExitPlanMode" and input `{"plan": ...}`. An allow answer may choose the next mode by
returning `updated_input={"mode": "acceptEdits"}` (any mode but plan); otherwise it is `default`,
as in Claude Code when the user approves without auto-accepting edits. Without a host to ask
(headless), the plan cannot be approved and the run stays read-only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lsp_agent.agent.ports import CanUseTool
from lsp_agent.agent.tools.base import ToolContext, ToolResult

AFTER_PLAN_MODES = ("default", "acceptEdits", "bypassPermissions", "dontAsk")
QUESTION = "Claude has written a plan. Approve it to leave plan mode and start making changes?"


class ExitPlanModeTool:
    name = "ExitPlanMode"
    description = (
        "Use this tool when you are in plan mode and have finished planning an implementation "
        "task: it shows your plan to the user for approval. Pass the plan as concise markdown. "
        "Only use it for tasks that need code changes, not for research or questions. If the "
        "user rejects the plan, revise it according to their feedback and call this again."
    )
    input_schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            "plan": {"type": "string", "description": "The plan, in markdown"},
            "allowedPrompts": {
                "type": "array",
                "description": "Kinds of Bash commands the plan will need ({tool, prompt})",
                "items": {"type": "object"},
            },
        },
        "required": ["plan"],
        "additionalProperties": False,
    }
    read_only = False

    def __init__(
        self,
        ask: CanUseTool | None,
        get_mode: Callable[[], str],
        set_mode: Callable[[str], None],
    ) -> None:
        self.ask = ask
        self.get_mode = get_mode
        self.set_mode = set_mode

    async def run(self, tool_input: dict[str, Any], ctx: ToolContext) -> ToolResult:
        plan = str(tool_input.get("plan", "")).strip()
        if not plan:
            return ToolResult("ExitPlanMode needs the plan", is_error=True)
        if self.get_mode() != "plan":
            return ToolResult("Not in plan mode: go ahead without asking for plan approval.")
        if self.ask is None:
            return ToolResult(
                "There is no interactive user to approve the plan, so plan mode stays on and "
                "no changes can be made. Present the plan as your final answer.",
                is_error=True,
            )
        answer = await self.ask(self.name, {"plan": plan}, QUESTION)
        if answer.behavior != "allow":
            feedback = f" Their feedback: {answer.message}" if answer.message else ""
            return ToolResult(
                f"The user did not approve the plan; stay in plan mode.{feedback} Revise the "
                "plan and present it again, or ask what they want.",
                is_error=True,
            )
        mode = (answer.updated_input or {}).get("mode", "default")
        self.set_mode(mode if mode in AFTER_PLAN_MODES else "default")
        return ToolResult(
            "The user approved your plan. You can now start making the changes, following the plan."
        )


class EnterPlanModeTool:
    name = "EnterPlanMode"
    description = (
        "Switch to plan mode before a complex or ambiguous implementation task: explore the "
        "code read-only, then present a plan with ExitPlanMode for the user to approve before "
        "changing anything. Use it when the task needs design decisions or touches many files."
    )
    input_schema: dict[str, Any] = {
        "type": "object",
        "properties": {},
        "required": [],
        "additionalProperties": False,
    }
    read_only = False

    def __init__(self, get_mode: Callable[[], str], set_mode: Callable[[str], None]) -> None:
        self.get_mode = get_mode
        self.set_mode = set_mode

    async def run(self, tool_input: dict[str, Any], ctx: ToolContext) -> ToolResult:
        if self.get_mode() == "plan":
            return ToolResult(
                "Already in plan mode: explore, then present the plan with ExitPlanMode."
            )
        self.set_mode("plan")
        return ToolResult(
            "Entered plan mode. Explore the code with read-only tools, then present your plan "
            "with ExitPlanMode; make no changes until the user approves it."
        )
