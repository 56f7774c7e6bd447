"""`/rewind` in `lsp-agent ask --resume ID "/rewind [N] [--code-only]"`: restore the files the
session's runs N.. wrote (default: the latest run) from its checkpoints, and rewind the
conversation to before prompt N unless `--code-only`.

Three-way, as in the editor (`lsp_agent.textrevert`): text changed on disk since the run stays,
a hunk it touched is reported as a conflict and left alone (then the conversation is kept too).
What shell commands changed is listed as not tracked. No model call.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lsp_agent.agent.changes import FileChange
    from lsp_agent.agent.loop import Agent

COMMAND = "/rewind"


@dataclass
class Outcome:
    restored: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    untracked: list[str] = field(default_factory=list)


def wanted(prompt: str) -> bool:
    words = prompt.split()
    return bool(words) and words[0] == COMMAND


def rewind(agent: Agent, prompt: str, roots: list[Path]) -> int:
    """Run `/rewind ...` on the resumed session of `agent`; returns the exit status. Only files
    inside `roots` (the workspace: --cwd and --add-dir) are restored."""
    from lsp_agent.agent import checkpoints
    from lsp_agent.agent.changes import rewind_conversation
    from lsp_agent.agent.permissions.confinement import inside

    args = prompt.split()[1:]
    code_only = "--code-only" in args
    numbers = [a for a in args if a != "--code-only"]
    log = checkpoints.load(agent.session_id)
    if not log.runs:
        return _fail(f"session {agent.session_id} has no checkpointed runs to rewind")
    if len(numbers) > 1 or (numbers and not numbers[0].isdigit()):
        return _fail("usage: /rewind [RUN] [--code-only]")
    first = int(numbers[0]) if numbers else len(log.runs)
    try:
        net = log.since(first)
    except LookupError as exc:
        return _fail(str(exc))
    outcome = Outcome()
    for change in net.values():
        if inside(change.path.resolve(), roots):
            _restore(change, outcome)
        else:
            outcome.conflicts.append(f"{change.path}: outside this workspace; not restored")
    for run in log.runs[first - 1 :]:
        outcome.untracked += run.untracked
    for line in outcome.restored:
        print(f"restored {line}")
    for line in outcome.untracked:
        print(f"not tracked (not restored): {line}")
    for line in outcome.conflicts:
        print(f"lsp-agent ask: conflict: {line}", file=sys.stderr)
    if outcome.conflicts:
        print("lsp-agent ask: the conversation was kept", file=sys.stderr)
        return 1
    if not code_only:
        rewind_conversation(agent.transcript, agent.messages, log.run(first))
        checkpoints.forget_from(agent.session_id, first)
        print(f"conversation rewound to before prompt {first}: {log.run(first).prompt[:60]!r}")
    return 0


def _restore(change: FileChange, outcome: Outcome) -> None:
    from lsp_agent.agent.checkpoints import read_text
    from lsp_agent.agent.disk import apply_to_disk
    from lsp_agent.agent.ports import EditProposal
    from lsp_agent.textrevert import revert

    path = change.path
    current = read_text(path)
    if current is None:
        outcome.conflicts.append(f"{path}: no longer exists")
        return
    if change.before is None:
        if current != change.after:
            outcome.conflicts.append(f"{path}: created by the run and changed since; not deleted")
            return
        new_text: str | None = None
    else:
        result = revert(change.before, change.after, current)
        outcome.conflicts += [
            f"{path}: hunk {h + 1} changed since the run; left as it is" for h in result.conflicts
        ]
        if not result.reverted:
            return
        new_text = result.text
    written = apply_to_disk(EditProposal(path, current, new_text, "Rewind", f"rewind {path}"))
    if written.applied:
        outcome.restored.append(str(path) + (" (deleted)" if new_text is None else ""))
    else:
        outcome.conflicts.append(f"{path}: {written.message}")


def _fail(message: str) -> int:
    print(f"lsp-agent ask: error: {message}", file=sys.stderr)
    return 1
