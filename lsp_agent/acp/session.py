"""One ACP session: an engine `Agent`, its ports, and the queue its updates leave through.

Every update of a session goes through one queue and one sender task, in the order the run
produced it; a prompt's answer is sent only after its updates (`drain`). A cancel sets the
run's token: the stream and the running tool stop at their next check, and the prompt answers
`cancelled`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from acp import schema

from lsp_agent import credentials
from lsp_agent.acp import usage
from lsp_agent.acp.translator import Translator, Update
from lsp_agent.agent import events as ev
from lsp_agent.agent.ports import CancelToken, EditProposal
from lsp_agent.agent.transcript import title_of

if TYPE_CHECKING:
    from indexer.multiroot import OnDemandIndex

    from lsp_agent.acp.prompt import Prompt
    from lsp_agent.agent.claude.extensions import Extensions
    from lsp_agent.agent.loop import Agent
    from lsp_agent.agent.options import AgentResult

log = logging.getLogger(__name__)

StopReason = Literal["end_turn", "max_tokens", "max_turn_requests", "refusal", "cancelled"]
# How long a closing session waits for its last updates to reach the client.
DRAIN_TIMEOUT_S = 5.0


def _redacted(update: Update) -> Update:
    """The update with known secrets' values redacted (credentials.py): everything sent to the
    client passes here. Rebuilt from its JSON only when a secret was found."""
    if not credentials.known():
        return update
    text = update.model_dump_json(by_alias=True, exclude_none=True)
    redacted = credentials.redact(text)
    return update if redacted == text else type(update).model_validate_json(redacted)


class SessionUpdates:
    """The ordered outgoing updates of one session, held until the client knows the session.

    A session's first updates (its slash commands, what its SessionStart hooks say, its name)
    are made while `session/new` is answered, but a client learns the session's id from that
    answer: Zed drops an update for a session it does not know. So nothing is sent before
    `open_after_reply` (or `open`, where the client asked for the id: `session/load` replays
    the history before its answer)."""

    def __init__(self, session_id: str, send: Any) -> None:
        self.session_id = session_id
        self._send = send  # the connection's session_update
        self._queue: asyncio.Queue[Update] = asyncio.Queue()
        self._open = asyncio.Event()
        self._task = asyncio.create_task(self._pump(), name=f"acp-updates-{session_id[:8]}")

    def put(self, update: Update) -> None:
        self._queue.put_nowait(update)

    def open(self) -> None:
        self._open.set()

    def open_after_reply(self) -> None:
        """Send from the next turn of the loop on: the SDK queues a handler's answer for
        writing as soon as the handler returns, in the same turn, so the answer goes first."""
        asyncio.get_running_loop().call_soon(self._open.set)

    async def drain(self) -> None:
        await self._queue.join()

    async def close(self) -> None:
        self._open.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.drain(), DRAIN_TIMEOUT_S)
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _pump(self) -> None:
        await self._open.wait()
        while True:
            update = await self._queue.get()
            try:
                await self._send(session_id=self.session_id, update=_redacted(update))
            except Exception:  # a client gone away: the run goes on, its transcript is kept
                log.warning("could not send a session update", exc_info=True)
            finally:
                self._queue.task_done()


class Session:
    """Built by `AcpAgent`; the engine's agent is attached once its ports exist."""

    def __init__(self, session_id: str, cwd: Path, updates: SessionUpdates) -> None:
        self.id, self.cwd = session_id, cwd
        self.updates = updates
        self.translator = Translator()
        self.agent: Agent | None = None
        self.extensions: Extensions | None = None
        self.index: OnDemandIndex | None = None
        self.cancel: CancelToken | None = None
        self.asking = ""  # the tool call the permission question is about
        self.mode = ""  # the permission mode the client was last told
        self.reported: tuple[int, int, float] | None = None  # the last usage_update's figures
        self._idle = asyncio.Event()
        self._idle.set()

    # -- ports ------------------------------------------------------------------------------

    def on_event(self, event: ev.AgentEvent) -> None:
        if isinstance(event, ev.PermissionAsked):
            self.asking = event.tool_use_id
        for update in self.translator(event):
            self.updates.put(update)
        if isinstance(event, ev.ToolFinished):
            self._report_mode()
        elif isinstance(event, ev.UsageUpdated) and event.parent_tool_use_id is None:
            self._report_usage()  # a subagent's cost reaches its parent's when it ends

    def _report_usage(self) -> None:
        """How full the context window is and the session's cost, when either changed."""
        assert self.agent is not None
        figures = (*self.agent.context_usage(), self.agent.cost_usd)
        if figures != self.reported:
            self.reported = figures
            self.updates.put(usage.context_update(*figures))

    def _report_mode(self) -> None:
        """A tool may switch the mode (ExitPlanMode): the client's mode picker follows."""
        mode = self.agent.options.permission_mode if self.agent is not None else self.mode
        if mode != self.mode:
            self.mode = mode
            self.updates.put(
                schema.CurrentModeUpdate(session_update="current_mode_update", current_mode_id=mode)
            )

    def show_diff(self, proposal: EditProposal) -> None:
        if proposal.new_text is not None:
            diff = self.translator.diff(
                proposal.tool_use_id, str(proposal.path), proposal.old_text, proposal.new_text
            )
            self.updates.put(diff)

    def show_terminal(self, tool_use_id: str, terminal_id: str) -> None:
        self.updates.put(self.translator.terminal(tool_use_id, terminal_id))

    # -- requests ---------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.cancel is not None

    async def prompt(self, prompt: Prompt) -> schema.PromptResponse:
        assert self.agent is not None
        self.cancel = cancel = CancelToken()
        self._idle.clear()
        before = dict(self.agent.usage)
        named = bool(self.agent.title)  # by a SessionStart hook: the name stays
        if not self.agent.messages and not named and prompt.text.strip():  # its first prompt
            title = title_of(prompt.text)  # what session/list will show for it
            self.updates.put(
                schema.SessionInfoUpdate(session_update="session_info_update", title=title)
            )
        try:
            result = await self.agent.run(prompt.text, cancel, prompt.images)
        finally:
            self.cancel = None
            self._idle.set()
        self._report_usage()  # a compaction or a subagent's cost since the last response
        await self.updates.drain()
        return schema.PromptResponse(
            stop_reason=stop_reason(result, self.agent.stop_reason, cancel.cancelled),
            usage=usage.turn_usage(before, result.usage),
        )

    def set_mode(self, mode: str) -> None:
        assert self.agent is not None
        self.agent.set_mode(mode)
        self._report_mode()

    async def close(self) -> None:
        """Stop a running prompt, end the session's hooks and MCP servers, keep its transcript."""
        if self.cancel is not None:
            self.cancel.cancel("the session was closed")
        await self._idle.wait()  # the run ends at its next cancellation check
        if self.agent is not None:
            await self.agent.aclose()
        if self.extensions is not None:
            await self.extensions.aclose()
        if self.index is not None:
            self.index.close()
        await self.updates.close()


def stop_reason(result: AgentResult, model_stop: str | None, cancelled: bool) -> StopReason:
    if cancelled:
        return "cancelled"
    if result.subtype == "error_max_turns":
        return "max_turn_requests"
    if model_stop == "refusal":
        return "refusal"
    if model_stop == "max_tokens":
        return "max_tokens"
    return "end_turn"
