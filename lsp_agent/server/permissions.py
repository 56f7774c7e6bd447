"""The engine's `can_use_tool` in the editor: ask the user with `window/showMessageRequest`.

Edit tools are allowed here without a question, because their change itself goes to the user
for review as a proposal (edits.py); asking twice would only teach users to click through.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from lsp_agent.agent.ports import PermissionResult
from lsp_agent.agent.tools import kinds
from lsp_agent.server.stream import tool_title

if TYPE_CHECKING:
    from lsp_agent.server.app import AgentServer
    from lsp_agent.server.sessions import ServerSession

logger = logging.getLogger(__name__)

ALLOW_ONCE, ALLOW_SESSION, DENY = "Allow once", "Allow for this session", "Deny"
_ids = itertools.count(1)


class PermissionPrompter:
    def __init__(self, server: AgentServer, session: ServerSession) -> None:
        self.server = server
        self.session = session

    async def __call__(
        self, tool: str, tool_input: dict[str, Any], reason: str
    ) -> PermissionResult:
        if kinds.is_edit(tool):
            return PermissionResult("allow")
        request_id = f"q{next(_ids)}"
        self._report(request_id, tool, tool_input, reason, None)
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
            self._report(request_id, tool, tool_input, reason, "deny")
            return PermissionResult(
                "deny", message=f"No answer from the user within {timeout:g} s."
            )
        choice = answer.title if answer is not None else DENY
        decision = "allow" if choice in (ALLOW_ONCE, ALLOW_SESSION) else "deny"
        self._report(request_id, tool, tool_input, reason, decision)
        if decision == "deny":
            return PermissionResult("deny", message=f"The user denied this {tool} call.")
        return PermissionResult("allow", remember=choice == ALLOW_SESSION)

    def _report(
        self,
        request_id: str,
        tool: str,
        tool_input: dict[str, Any],
        reason: str,
        decision: str | None,
    ) -> None:
        if self.session.reporter is not None:
            self.session.reporter.send(
                "permission",
                requestId=request_id,
                tool=tool,
                input=tool_input,
                reason=reason,
                decision=decision,
            )
