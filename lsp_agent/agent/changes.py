"""What each run of a session changed, for review and rewind.

A run's change set holds, per file, the text before the run's first edit of it (taken by the
edit sink's wrapper just before the edit went out: a checkpoint) and after its last. Runs compose:
the change of runs N.. is the earliest `before` and the latest `after` of each file. Shell
commands change files behind the edit sink's back: they are listed as not tracked, as Claude
Code lists them, and never reverted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsp_agent.agent.ports import EditOutcome, EditProposal, EditSink
from lsp_agent.agent.transcript import COMPACT_BOUNDARY, complete_turns
from lsp_agent.textdiff import apply_hunks, compute_hunks

if TYPE_CHECKING:
    from lsp_agent.agent.transcript import Transcript

# Tools whose file changes the edit sink never sees.
UNTRACKED_TOOLS = frozenset({"Bash"})


@dataclass
class FileChange:
    path: Path
    before: str | None  # None: the run created the file
    after: str


@dataclass
class RunChanges:
    run: int  # 1-based, in the session's order
    prompt: str
    messages: int  # how long the conversation was before this run's prompt
    files: dict[Path, FileChange] = field(default_factory=dict)
    untracked: list[str] = field(default_factory=list)  # e.g. "Bash: make fmt"


class ChangeLog:
    """A session's runs and their changes, newest last."""

    def __init__(self) -> None:
        self.runs: list[RunChanges] = []
        # Called with the run whenever it changes (headless: its checkpoint is written).
        self.on_change: Callable[[RunChanges], None] | None = None

    def begin(self, prompt: str, messages: int = 0) -> RunChanges:
        run = RunChanges(len(self.runs) + 1, prompt, messages)
        self.runs.append(run)
        self._changed(run)
        return run

    def run(self, number: int) -> RunChanges:
        if not 1 <= number <= len(self.runs):
            raise LookupError(f"no run {number} (this session has {len(self.runs)})")
        return self.runs[number - 1]

    def record(self, path: Path, before: str | None, after: str) -> None:
        if not self.runs:
            self.begin("")
        files = self.runs[-1].files
        known = files.get(path)
        files[path] = FileChange(path, known.before if known else before, after)
        self._changed(self.runs[-1])

    def note_tool(self, name: str, summary: str) -> None:
        if name in UNTRACKED_TOOLS and self.runs:
            self.runs[-1].untracked.append(f"{name}: {summary}")
            self._changed(self.runs[-1])

    def _changed(self, run: RunChanges) -> None:
        if self.on_change is not None:
            self.on_change(run)

    def since(self, first: int, last: int | None = None) -> dict[Path, FileChange]:
        """The net change of runs `first`..`last` (1-based, inclusive; default: the latest)
        per file."""
        chosen = self._span(first, last)
        net: dict[Path, FileChange] = {}
        for run in chosen:
            for path, change in run.files.items():
                earlier = net.get(path)
                before = earlier.before if earlier else change.before
                net[path] = FileChange(path, before, change.after)
        return net

    def forget(self, first: int, last: int | None, path: Path, hunks: set[int] | None) -> None:
        """Runs `first`..`last` no longer hold the given hunks (None: all) of `path`, since they
        were reverted: the change set lists what is left (whose hunk ids are renumbered)."""
        net = self.since(first, last).get(path)
        if net is None:
            return
        remaining: str | None = None
        if hunks is not None and net.before is not None:
            every = compute_hunks(net.before, net.after)
            kept = {h.id for h in every} - hunks
            remaining = apply_hunks(net.before, every, kept) if kept else None
        chosen = self._span(first, last)
        for run in chosen:
            run.files.pop(path, None)
        if remaining is not None:
            chosen[0].files[path] = FileChange(path, net.before, remaining)
        for run in chosen:
            self._changed(run)

    def truncate(self, first: int) -> None:
        """Forget runs `first`.. (the conversation was rewound to before that prompt)."""
        self.run(first)
        del self.runs[first - 1 :]

    def _span(self, first: int, last: int | None) -> list[RunChanges]:
        self.run(first)
        if last is not None:
            self.run(last)
        return self.runs[first - 1 : last]


class RecordingEditSink:
    """Wraps a front end's edit sink: each edit that lands is recorded in the change log, with
    the file's text just before it went out (`read`: what the sink edits against)."""

    def __init__(self, inner: EditSink, log: ChangeLog, read: Callable[[Path], str | None]) -> None:
        self.inner = inner
        self.log = log
        self.read = read

    @property
    def reviews_edits(self) -> bool:
        return self.inner.reviews_edits

    async def apply(self, proposal: EditProposal) -> EditOutcome:
        before = self.read(proposal.path)
        outcome = await self.inner.apply(proposal)
        if outcome.base_text is not None:
            before = outcome.base_text  # typing during the review is the user's, not the run's
        if outcome.applied and outcome.final_text is not None and outcome.final_text != before:
            self.log.record(proposal.path, before, outcome.final_text)
        return outcome


def conversation_length(messages: list[dict[str, Any]]) -> int:
    """How long the conversation is when the next prompt is added: the run first drops a turn
    whose tool calls never got results (`complete_turns`), so count without it."""
    return len(complete_turns(messages))


def rewind_conversation(
    transcript: Transcript, messages: list[dict[str, Any]], run: RunChanges
) -> list[dict[str, Any]]:
    """The conversation as it was before `run`'s prompt. The transcript keeps its history and
    gets a boundary followed by the kept messages, so a resumed session continues from there
    (the loader starts over at each boundary, as after compaction)."""
    kept = messages[: run.messages]
    transcript.write({"type": COMPACT_BOUNDARY, "trigger": "rewind", "run": run.run})
    for message in kept:
        transcript.message(message)
    return kept
