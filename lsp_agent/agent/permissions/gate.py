"""Where the loop asks whether a tool call may run.

The policy (permission mode + settings rules, `permissions.PermissionPolicy`) says allow, ask or
deny; a PreToolUse hook may sharpen that (its allow skips the question, its ask forces one, its
deny refuses; a deny rule always wins). "Ask" goes to the host's `can_use_tool` (the editor
prompts the user). Without one, as in `lsp-agent ask`, "ask" means deny, with a message telling
the model why, so it can explain or try another way.

Edit approval is decided here and nowhere else: when the host's edit sink reviews each edit
itself (the editor's diff review) and the mode does not accept edits at once, an edit the rules
would ask about is allowed without a question, because the review is the question.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from lsp_agent.agent.options import AUTO_ACCEPT_MODES, AgentOptions
from lsp_agent.agent.ports import CanUseTool
from lsp_agent.agent.tools import kinds

log = logging.getLogger(__name__)
Verdict = Literal["allow", "ask", "deny"]
Policy = Callable[[str, dict[str, Any]], tuple[Verdict, str]]


@dataclass(frozen=True)
class Decision:
    behavior: Literal["allow", "deny"]
    updated_input: dict[str, Any] | None = None
    message: str = ""
    asked: bool = False  # the host's can_use_tool was consulted
    reason: str = ""  # why the rules (or a hook) asked


OnAsk = Callable[[str], None]  # called with the reason just before the host is asked


class PermissionGate:
    def __init__(
        self,
        policy: Policy,
        can_use_tool: CanUseTool | None,
        *,
        edits_reviewed: bool = False,
        mode: str = "default",
    ) -> None:
        self.policy = policy
        self.can_use_tool = can_use_tool
        self.edits_reviewed = edits_reviewed
        self.mode = getattr(policy, "mode", mode)
        # How a PermissionRequest hook's `setMode` changes the mode (the loop's own set_mode,
        # so the session, its hooks and its front end see the change).
        self.switch_mode: Callable[[str], None] = self.set_mode

    @classmethod
    def from_options(
        cls,
        options: AgentOptions,
        can_use_tool: CanUseTool | None,
        *,
        edits_reviewed: bool = False,
    ) -> PermissionGate:
        """The settings files' rules for `options.cwd`, plus the options' allowed and
        disallowed tools, in the options' permission mode."""
        from lsp_agent.agent.permissions.rules import PermissionPolicy

        policy = PermissionPolicy.from_settings(
            options.cwd,
            mode=options.permission_mode,
            cwd=options.cwd,
            roots=[options.cwd, *options.add_dirs],
            allow=options.allowed_tools,
            deny=options.disallowed_tools,
            trusted=options.project_trusted,
        )
        return cls(policy, can_use_tool, edits_reviewed=edits_reviewed)

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        set_mode = getattr(self.policy, "set_mode", None)
        if set_mode is not None:
            set_mode(mode)

    async def decide(
        self,
        name: str,
        tool_input: dict[str, Any],
        hook: str | None = None,
        hook_reason: str = "",
        on_ask: OnAsk | None = None,
    ) -> Decision:
        verdict, reason = self.policy(name, tool_input)
        if verdict == "deny":
            return Decision("deny", message=f"Permission to use {name} was denied: {reason}")
        if hook == "deny":
            return Decision("deny", message=f"A PreToolUse hook denied {name}: {hook_reason}")
        if hook == "allow" or (verdict == "allow" and hook != "ask"):
            return Decision("allow")
        if self.review_is_the_question(name):
            return Decision("allow")
        return await self._ask(name, tool_input, hook_reason or reason, on_ask)

    def review_is_the_question(self, name: str) -> bool:
        """An edit the user will review as a proposal needs no question first."""
        return kinds.is_edit(name) and self.edits_reviewed and self.mode not in AUTO_ACCEPT_MODES

    async def _ask(
        self, name: str, tool_input: dict[str, Any], reason: str, on_ask: OnAsk | None
    ) -> Decision:
        if self.can_use_tool is None:
            return Decision("deny", message=headless_denial(name, reason))
        if on_ask is not None:
            on_ask(reason)
        answer = await self.can_use_tool(name, tool_input, reason)
        if answer.behavior != "allow":
            message = answer.message or f"The user denied this {name} call."
            return Decision("deny", message=message, asked=True, reason=reason)
        remember = getattr(self.policy, "allow_for_session", None)
        if answer.remember and remember is not None:
            remember(name, answer.updated_input or tool_input)
        if answer.updates:
            self._apply_updates(list(answer.updates))
        return Decision("allow", answer.updated_input, asked=True, reason=reason)

    def _apply_updates(self, entries: list[Any]) -> None:
        from lsp_agent.agent.permissions import updates
        from lsp_agent.agent.permissions.rules import PermissionPolicy

        if not isinstance(self.policy, PermissionPolicy):
            log.warning("updatedPermissions ignored: this session's rules are not settings rules")
            return
        for problem in updates.apply(self.policy, entries, self.policy.cwd, self.switch_mode):
            log.warning("%s", problem)


def headless_denial(name: str, reason: str) -> str:
    """What the model is told when a call needs approval and there is nobody to ask."""
    return (
        f"Permission to use {name} was not granted: {reason}. Running without an interactive "
        "user, calls that need approval are denied; the user can allow them with a settings "
        "allow rule or another permission mode."
    )
