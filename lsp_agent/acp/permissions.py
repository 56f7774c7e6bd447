"""The "ask" cases of the permission rules, answered by the user through
`session/request_permission`: allow once, allow always (a session rule, as in Claude Code) or
reject. A client that never answers is treated as the LSP prompts treat one: after
`permissionPromptTimeout` seconds the call is denied.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Protocol

from acp import schema

from lsp_agent.acp.translator import diff_content, locations, text_content, tool_kind, tool_title
from lsp_agent.agent.ports import PermissionResult

OPTIONS = [
    schema.PermissionOption(option_id="allow_once", name="Allow", kind="allow_once"),
    schema.PermissionOption(option_id="allow_always", name="Always allow", kind="allow_always"),
    schema.PermissionOption(option_id="reject_once", name="Reject", kind="reject_once"),
]

# ExitPlanMode's question: which mode the approved plan is carried out in.
PLAN_OPTIONS = [
    schema.PermissionOption(
        option_id="acceptEdits", name="Yes, and auto-accept edits", kind="allow_always"
    ),
    schema.PermissionOption(
        option_id="default", name="Yes, and ask before edits", kind="allow_once"
    ),
    schema.PermissionOption(option_id="plan", name="No, keep planning", kind="reject_once"),
]


class PermissionClient(Protocol):
    async def request_permission(
        self,
        options: list[schema.PermissionOption],
        session_id: str,
        tool_call: schema.ToolCallUpdate,
        **kwargs: Any,
    ) -> schema.RequestPermissionResponse: ...


def proposed_change(tool_input: dict[str, Any]) -> list[Any] | None:
    """What an edit tool's input says it will change, as diff content for the question."""
    path = tool_input.get("file_path")
    if not isinstance(path, str):
        return None
    if isinstance(tool_input.get("content"), str):  # Write
        return [diff_content(path, None, tool_input["content"])]
    edits = tool_input.get("edits") or [tool_input]  # MultiEdit, Edit
    return [
        diff_content(path, e["old_string"], e["new_string"])
        for e in edits
        if isinstance(e, dict)
        and isinstance(e.get("old_string"), str)
        and isinstance(e.get("new_string"), str)
    ] or None


def _plan(tool_input: dict[str, Any]) -> list[Any] | None:
    plan = tool_input.get("plan")
    return [text_content(plan)] if isinstance(plan, str) and plan else None


class ClientPermissions:
    """The session's CanUseTool. `current_call` names the tool call being asked about (the
    engine asks one question at a time and reports the call just before)."""

    def __init__(
        self,
        client: PermissionClient,
        session_id: str,
        timeout: float,
        current_call: Callable[[], str],
    ) -> None:
        self.client, self.session_id, self.timeout = client, session_id, timeout
        self.current_call = current_call

    async def __call__(
        self, tool: str, tool_input: dict[str, Any], reason: str
    ) -> PermissionResult:
        call = schema.ToolCallUpdate(
            tool_call_id=self.current_call(),
            title=tool_title(tool, tool_input),
            kind=tool_kind(tool),
            status="pending",
            raw_input=tool_input,
            locations=locations(tool_input),
            content=proposed_change(tool_input) or _plan(tool_input),
        )
        options = PLAN_OPTIONS if tool == "ExitPlanMode" else OPTIONS
        try:
            async with asyncio.timeout(self.timeout):
                answer = await self.client.request_permission(
                    options=options, session_id=self.session_id, tool_call=call
                )
        except TimeoutError:
            return PermissionResult("deny", message=f"No answer within {self.timeout:g} s.")
        outcome = answer.outcome
        if isinstance(outcome, schema.DeniedOutcome):
            return PermissionResult("deny", message="The user cancelled the request.")
        if tool == "ExitPlanMode" and outcome.option_id in ("acceptEdits", "default"):
            return PermissionResult("allow", updated_input={"mode": outcome.option_id})
        if outcome.option_id in ("allow_once", "allow_always"):
            return PermissionResult("allow", remember=outcome.option_id == "allow_always")
        return PermissionResult("deny", message=f"The user rejected this {tool} call.")
