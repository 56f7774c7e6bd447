"""Checkpoints of headless runs: each run's change set, kept in the session's directory.

`lsp-agent ask` is one process per prompt, so what a run changed must outlive it for `/rewind`
in a later `--resume`: `sessions/<id>/checkpoints/run-<N>.json` holds the run's prompt, how
long the conversation was before it, each file's text before the run first edited it (written
before the edit's outcome is returned, so a killed run keeps it) and after, and the commands
that were not tracked.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from lsp_agent.agent.changes import ChangeLog, FileChange, RunChanges
from lsp_agent.agent.tools import textfile
from lsp_agent.agent.transcript import sessions_dir


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
    directory = checkpoints_dir(session_id)
    directory.mkdir(parents=True, exist_ok=True)
    record = {
        "run": run.run,
        "prompt": run.prompt,
        "messages": run.messages,
        "files": [
            {"path": str(c.path), "before": c.before, "after": c.after} for c in run.files.values()
        ],
        "untracked": run.untracked,
    }
    target = directory / f"run-{run.run}.json"
    temporary = target.with_suffix(".tmp")
    temporary.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, target)


def forget_from(session_id: str, first: int) -> None:
    """Drop the checkpoints of runs `first`.. (the conversation was rewound before them)."""
    for path in checkpoints_dir(session_id).glob("run-*.json"):
        if int(path.stem.removeprefix("run-")) >= first:
            path.unlink()
