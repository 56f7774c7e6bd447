"""Where the loop asks whether a tool call may run.

The policy (permission mode + settings rules) says allow, ask or deny; "ask" goes to the host's
`can_use_tool` (the editor prompts the user). Without one, as in `lsp-agent ask`, "ask" means
deny, with a message telling the model why, so it can explain or try another way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from lsp_agent.agent.options import AgentOptions
from lsp_agent.agent.ports import CanUseTool
from lsp_agent.agent.tools import kinds

Verdict = Literal["allow", "ask", "deny"]
Policy = Callable[[str, dict[str, Any]], tuple[Verdict, str]]


@dataclass(frozen=True)
class Decision:
    behavior: Literal["allow", "deny"]
    updated_input: dict[str, Any] | None = None
    message: str = ""


class PermissionGate:
    def __init__(self, policy: Policy, can_use_tool: CanUseTool | None) -> None:
        self.policy = policy
        self.can_use_tool = can_use_tool
        self._remembered: set[str] = set()  # tools the user allowed for the whole session

    @classmethod
    def from_options(cls, options: AgentOptions, can_use_tool: CanUseTool | None) -> PermissionGate:
        return cls(mode_policy(options.permission_mode, options.allowed_tools), can_use_tool)

    async def decide(self, name: str, tool_input: dict[str, Any]) -> Decision:
        verdict, reason = self.policy(name, tool_input)
        if verdict == "allow" or (verdict == "ask" and name in self._remembered):
            return Decision("allow")
        if verdict == "deny":
            return Decision("deny", message=f"Permission to use {name} was denied: {reason}")
        if self.can_use_tool is None:
            return Decision(
                "deny",
                message=(
                    f"Permission to use {name} was not granted: {reason}. Running without an "
                    "interactive user, calls that need approval are denied; the user can allow "
                    "them with a settings allow rule or another permission mode."
                ),
            )
        answer = await self.can_use_tool(name, tool_input, reason)
        if answer.behavior == "allow":
            if answer.remember:
                self._remembered.add(name)
            return Decision("allow", answer.updated_input)
        return Decision("deny", message=answer.message or f"The user denied this {name} call.")


def mode_policy(mode: str, allowed_tools: list[str]) -> Policy:
    """Permission modes by tool kind, plus bare tool names allowed outright. Stands in until
    the settings-rule policy is wired (see docs/agent.md)."""
    allowed = {rule for rule in allowed_tools if "(" not in rule}

    def decide(name: str, tool_input: dict[str, Any]) -> tuple[Verdict, str]:
        if mode == "bypassPermissions" or name in allowed or not kinds.needs_permission(name):
            return "allow", ""
        if mode == "plan":
            return "deny", "plan mode allows only read-only tools"
        if mode == "acceptEdits" and kinds.is_edit(name):
            return "allow", ""
        if mode == "dontAsk":
            return "deny", f"{name} is not allowed in dontAsk mode"
        return "ask", f"{name} needs approval in {mode} mode"

    return decide
