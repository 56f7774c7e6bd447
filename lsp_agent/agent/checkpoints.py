"""Checkpoints of headless runs: each run's change set, kept in the session's directory.

`lsp-agent ask` is one process per prompt, so what a run changed must outlive it for `/rewind`
in a later `--resume`: `sessions/<id>/checkpoints/run-<N>.json` holds the run's prompt, how
long the conversation was before it, each file's text before the run first edited it (written
before the edit's outcome is returned, so a killed run keeps it) and after, and the commands
that were not tracked.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from pathlib import Path
from typing import Any

from lsp_agent.agent.changes import ChangeLog, FileChange, RunChanges
from lsp_agent.agent.tools import textfile
from lsp_agent.agent.transcript import sessions_dir

log = logging.getLogger(__name__)


def checkpoints_dir(session_id: str) -> Path:
    return sessions_dir() / session_id / "checkpoints"


def read_text(path: Path) -> str | None:
    """A file's text as the edit tools see it (decoded, `\\n` line endings), None if absent."""
    try:
        return textfile.decode(path.resolve().read_bytes())[0]
    except (FileNotFoundError, textfile.BinaryFile):
        return None


def load(session_id: str) -> ChangeLog:
    """The session's runs as far as they were checkpointed (runs that changed nothing and ran
    no command leave no file, but keep their number)."""
    log = ChangeLog()
    directory = checkpoints_dir(session_id)
    found = sorted(directory.glob("run-*.json"), key=lambda p: int(p.stem.removeprefix("run-")))
    for path in found:
        data = json.loads(path.read_text(encoding="utf-8"))
        while len(log.runs) + 1 < data["run"]:
            log.begin("")
        run = log.begin(data["prompt"], data["messages"])
        run.untracked = list(data.get("untracked", []))
        for change in data["files"]:
            file_path = Path(change["path"])
            run.files[file_path] = FileChange(file_path, change["before"], change["after"])
    return log


def save(session_id: str, run: RunChanges) -> None:
    _write(session_id, run.run, _record(run))


def _record(run: RunChanges) -> dict[str, Any]:
    """What a checkpoint holds: built from the run's strings without copying or encoding them,
    so taking it on the event loop is cheap."""
    return {
        "run": run.run,
        "prompt": run.prompt,
        "messages": run.messages,
        "files": [
            {"path": str(c.path), "before": c.before, "after": c.after} for c in run.files.values()
        ],
        "untracked": list(run.untracked),
    }


def _write(session_id: str, number: int, record: dict[str, Any]) -> None:
    directory = checkpoints_dir(session_id)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"run-{number}.json"
    temporary = target.with_suffix(".tmp")
    temporary.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, target)


class CheckpointWriter:
    """The server's checkpoints, written off the event loop: a run's record holds whole file
    texts and is rewritten at every edit, which on the loop held up the editor's requests.
    Changes coalesce (a burst of edits writes the run's latest state once) and writes run one at
    a time, in order. Unlike `lsp-agent ask`, a killed server may lose the last edit's record:
    the editor still holds the buffers."""

    def __init__(self, session_id: str) -> None:
        self.session_id = session_id
        self._dirty: dict[int, dict[str, Any]] = {}
        self._flushing: asyncio.Task[None] | None = None

    def __call__(self, run: RunChanges) -> None:
        self._dirty[run.run] = _record(run)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not on a loop: nothing to keep free
            batch, self._dirty = self._dirty, {}
            self._write(batch)
            return
        if self._flushing is None or self._flushing.done():
            self._flushing = loop.create_task(self._flush())

    async def _flush(self) -> None:
        while self._dirty:
            batch, self._dirty = self._dirty, {}  # taken on the loop, which alone adds to it
            await asyncio.to_thread(self._write, batch)

    def _write(self, batch: dict[int, dict[str, Any]]) -> None:
        for number, record in batch.items():
            try:
                _write(self.session_id, number, record)
            except (OSError, ValueError, TypeError) as exc:
                log.warning(
                    "session %s: checkpoint of run %d not written: %s", self.session_id, number, exc
                )

    async def forget_from(self, first: int) -> None:
        """`forget_from` once the writes under way are done (they would bring the runs back)."""
        self._dirty = {n: r for n, r in self._dirty.items() if n < first}
        await self.drain()
        await asyncio.to_thread(forget_from, self.session_id, first)

    async def drain(self) -> None:
        """Until what changed so far is on disk (a run ends with its checkpoint written)."""
        while self._flushing is not None and not self._flushing.done():
            await asyncio.shield(self._flushing)


def forget_from(session_id: str, first: int) -> None:
    """Drop the checkpoints of runs `first`.. (the conversation was rewound before them)."""
    for path in checkpoints_dir(session_id).glob("run-*.json"):
        if int(path.stem.removeprefix("run-")) >= first:
            path.unlink()
