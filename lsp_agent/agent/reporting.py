"""An EditSink wrapper that reports every proposal and its outcome as an EditDecided event."""

from __future__ import annotations

from collections.abc import Callable

from lsp_agent.agent.events import EditDecided
from lsp_agent.agent.ports import EditOutcome, EditProposal, EditSink


class ReportingSink:
    def __init__(self, inner: EditSink, report: Callable[[EditDecided], None]) -> None:
        self.inner = inner
        self._report = report

    @property
    def reviews_edits(self) -> bool:
        return self.inner.reviews_edits

    async def apply(self, proposal: EditProposal) -> EditOutcome:
        outcome = await self.inner.apply(proposal)
        self._report(
            EditDecided(
                session_id="",  # the loop fills in its session
                path=str(proposal.path),
                description=proposal.description,
                tool_use_id=proposal.tool_use_id,
                applied=outcome.applied,
                status=outcome.status or ("applied" if outcome.applied else "rejected"),
                message=outcome.message,
                ref=outcome.ref,
            )
        )
        return outcome
