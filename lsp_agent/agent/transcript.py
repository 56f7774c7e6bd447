"""Session transcripts: JSONL files in `data_dir()/sessions/`, one record per line, flushed as
written, so a killed process leaves everything up to its last line on disk.

Records: `{"type": "session", ...}` first (id, cwd, model, created), then `{"type": "message",
"message": {...}}` for each API message as it is completed, `{"type": "result", ...}` at the end
of each run, `{"type": "compact_boundary", ...}` where compaction replaced the history, and
`{"type": "custom-title", "customTitle": ...}` where the session was named (`/rename`,
`--name`, a hook's `sessionTitle`; the latest wins, as in Claude Code). The name is also kept
beside the transcript (`<id>.title`), so listing sessions never reads whole transcripts.
Only API messages and results are stored: never headers or credentials.
"""

from __future__ import annotations

import datetime
import json
import logging
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from lsp_agent import credentials
from lsp_agent.agent.disk import atomic_write
from lsp_agent.paths import data_dir

if TYPE_CHECKING:
    from lsp_agent.agent.options import AgentOptions

log = logging.getLogger(__name__)
COMPACT_BOUNDARY = "compact_boundary"  # compaction.BOUNDARY, without importing hooks here
TITLE_RECORD = "custom-title"  # Claude Code's record of a session's name


class SessionNotFound(Exception):
    pass


def sessions_dir() -> Path:
    return data_dir() / "sessions"


class Transcript:
    """An open transcript being appended to."""

    def __init__(self, session_id: str, path: Path | None) -> None:
        self.session_id = session_id
        self.path = path  # None: kept in memory only (a subagent's conversation)
        self._file: IO[str] | None = None

    def write(self, record: dict[str, Any]) -> None:
        if self.path is None:
            return
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("a", encoding="utf-8")
        # Known secrets never reach the disk, whatever part of the record holds them.
        self._file.write(credentials.redact(json.dumps(record, ensure_ascii=False)) + "\n")
        self._file.flush()

    def message(self, message: dict[str, Any]) -> None:
        self.write({"type": "message", "message": message})

    def rename(self, title: str) -> None:
        """Name the session: what session lists show for it, and what `--resume` finds it by."""
        if self.path is None:
            return
        title = credentials.redact(title)
        self.write({"type": TITLE_RECORD, "customTitle": title, "sessionId": self.session_id})
        atomic_write(self.path.with_suffix(".title"), title.encode("utf-8"))

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def new_session(cwd: Path, model: str) -> Transcript:
    session_id = str(uuid.uuid4())
    transcript = Transcript(session_id, sessions_dir() / f"{session_id}.jsonl")
    created = datetime.datetime.now(datetime.UTC).isoformat()
    transcript.write(
        {
            "type": "session",
            "session_id": session_id,
            "cwd": str(cwd),
            "model": model,
            "created": created,
        }
    )
    return transcript


def resume_session(session_id: str) -> tuple[Transcript, list[dict[str, Any]]]:
    """The open transcript and the conversation up to its last complete turn."""
    path = sessions_dir() / f"{session_id}.jsonl"
    if not is_session_id(session_id) or not path.is_file():
        raise SessionNotFound(f"no session {session_id!r} in {sessions_dir()}")
    return Transcript(session_id, path), complete_turns(_messages(path))


def fork_session(session_id: str) -> str:
    """Copy a session under a new id; the copy can be resumed without touching the original.
    It keeps the session's name, as Claude Code's forks do (their rows are named after it)."""
    source = sessions_dir() / f"{session_id}.jsonl"
    if not is_session_id(session_id) or not source.is_file():
        raise SessionNotFound(f"no session {session_id!r} in {sessions_dir()}")
    new_id = str(uuid.uuid4())
    copy = sessions_dir() / f"{new_id}.jsonl"
    shutil.copyfile(source, copy)
    name = _name_of(source)
    if name:  # the transcript's custom-title records came along; session lists read this
        atomic_write(copy.with_suffix(".title"), name.encode("utf-8"))
    return new_id


def latest_session(cwd: Path) -> str | None:
    """The most recently written session started in `cwd` (what `--continue` resumes)."""
    found = saved_sessions(str(cwd))
    return found[0].session_id if found else None


@dataclass(frozen=True)
class SavedSession:
    session_id: str
    cwd: str
    # The session's name if it has one, else its first prompt's text (whitespace collapsed, at
    # most TITLE_LENGTH characters).
    title: str
    modified_ns: int  # the transcript's last write
    named: bool = False  # `title` is a name it was given

    @property
    def modified(self) -> float:
        return self.modified_ns / 1e9


TITLE_LENGTH = 80


def saved_sessions(cwd: str | None = None) -> list[SavedSession]:
    """The transcripts on disk (only those started in `cwd`, if given), newest first. Each is
    read up to its first message only; a damaged one is left out (resuming it says why)."""
    found = []
    for path in sessions_dir().glob("*.jsonl"):
        try:
            with path.open(encoding="utf-8") as file:
                head = [json.loads(line) for _, line in zip(range(3), file, strict=False)]
            modified = path.stat().st_mtime_ns
        except (OSError, ValueError):
            continue
        header = head[0] if head and isinstance(head[0], dict) else {}
        if header.get("type") != "session" or (cwd is not None and header.get("cwd") != cwd):
            continue
        name = _name_of(path)
        messages = [r for r in head[1:] if isinstance(r, dict) and r.get("type") == "message"]
        title = name or (title_of(_first_text(messages[0])) if messages else "")
        cwd_of = str(header.get("cwd", ""))
        found.append(SavedSession(path.stem, cwd_of, title, modified, named=bool(name)))
    return sorted(found, key=lambda s: s.modified_ns, reverse=True)


def custom_title(session_id: str) -> str:
    """The name the session was given ("" when none)."""
    return _name_of(sessions_dir() / f"{session_id}.jsonl") if is_session_id(session_id) else ""


def named_session(name: str, cwd: str | None = None) -> str | None:
    """The newest session named `name` (started in `cwd`, if given): `--resume <name>`."""
    for saved in saved_sessions(cwd):
        if saved.named and saved.title == name:
            return saved.session_id
    return None


def _name_of(transcript: Path) -> str:
    try:
        return transcript.with_suffix(".title").read_text(encoding="utf-8").strip()
    except (OSError, ValueError):
        return ""


def title_of(prompt: str) -> str:
    """A session's title: its first prompt, whitespace collapsed, cut to TITLE_LENGTH."""
    return " ".join(prompt.split())[:TITLE_LENGTH]


def _first_text(record: dict[str, Any]) -> str:
    message = record.get("message")
    content = message.get("content", []) if isinstance(message, dict) else []
    if isinstance(content, str):
        return content
    texts = [b.get("text", "") for b in content if isinstance(b, dict) and b.get("type") == "text"]
    return " ".join(texts)


def is_session_id(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _messages(path: Path) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            record = json.loads(line)
        except ValueError:
            # A process killed mid-write leaves a torn last line; anything else is damage.
            log.warning("%s:%d: skipping an unreadable transcript line", path, number)
            continue
        if not isinstance(record, dict):
            continue
        if record.get("type") == COMPACT_BOUNDARY:
            messages = []  # a resumed session continues from its latest summary
        elif record.get("type") == "message":
            messages.append(record["message"])
    return messages


def complete_turns(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop a trailing assistant turn whose tool calls never got results: the API needs every
    tool_use answered, and a half-run tool call cannot be trusted to have happened."""
    messages = list(messages)
    while messages and messages[-1]["role"] == "assistant" and _has_tool_use(messages[-1]):
        messages.pop()
    return _merge_roles(messages)


def _has_tool_use(message: dict[str, Any]) -> bool:
    content = message.get("content")
    return isinstance(content, list) and any(b.get("type") == "tool_use" for b in content)


def _merge_roles(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # The loop writes a follow-up prompt after tool results as its own record; the API wants
    # one message per role in a row.
    merged: list[dict[str, Any]] = []
    for message in messages:
        if merged and merged[-1]["role"] == message["role"]:
            content = [*_blocks(merged[-1]), *_blocks(message)]
            merged[-1] = {"role": message["role"], "content": content}
        else:
            merged.append(message)
    return merged


def _blocks(message: dict[str, Any]) -> list[dict[str, Any]]:
    content = message["content"]
    return [{"type": "text", "text": content}] if isinstance(content, str) else list(content)


def open_session(
    options: AgentOptions, given: Transcript | None = None
) -> tuple[Transcript, list[dict[str, Any]]]:
    """The transcript and history a new Agent starts from: `given`, the session to resume
    (`options.resume`, or the latest in cwd with `continue_session`), else a new session."""
    if given is not None:
        return given, []
    session_id = options.resume
    if session_id is None and options.continue_session:
        session_id = latest_session(options.cwd)
    if session_id is None:
        return new_session(options.cwd, options.model), []
    return resume_session(session_id)


def tasks_dir(session_id: str) -> Path:
    """Where a session's background commands write their output."""
    return data_dir() / "tasks" / session_id
