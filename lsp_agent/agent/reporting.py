"""An EditSink wrapper that reports every proposal and its outcome as an AgentEvent."""

from __future__ import annotations

from typing import Any, Protocol

from lsp_agent.agent.ports import EditOutcome, EditProposal, EditSink, EventKind


class _Emit(Protocol):
    def __call__(self, kind: EventKind, **data: Any) -> None: ...


class ReportingSink:
    def __init__(self, inner: EditSink, emit: _Emit) -> None:
        self.inner = inner
        self._emit = emit

    async def apply(self, proposal: EditProposal) -> EditOutcome:
        outcome = await self.inner.apply(proposal)
        self._emit(
            "proposal",
            path=str(proposal.path),
            description=proposal.description,
            tool_use_id=proposal.tool_use_id,
            applied=outcome.applied,
            message=outcome.message,
        )
        return outcome
