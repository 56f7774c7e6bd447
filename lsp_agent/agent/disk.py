"""The headless ports: edits land on disk atomically, documents come from disk.

Used by `lsp-agent ask` and tests; the LSP server provides its own sink (proposals become
WorkspaceEdits) and its own document source (open buffers).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import stat
import tempfile
from pathlib import Path

from lsp_agent.agent.ports import EditOutcome, EditProposal
from lsp_agent.agent.tools import textfile
from lsp_agent.paths import data_dir


class DiskDocumentSource:
    """No buffers headless: every read falls back to disk."""

    def read_text(self, path: Path) -> str | None:
        return None


class DiskEditSink:
    """Applies proposals to disk. Refuses a proposal whose `old_text` no longer matches the file
    (someone changed it after the tool computed the edit). Writes atomically (temp file in the
    same directory, then os.replace) keeping the file's encoding, line endings and mode."""

    reviews_edits = False  # nobody reviews headless: edits follow the permission rules

    async def apply(self, proposal: EditProposal) -> EditOutcome:
        return await asyncio.to_thread(apply_to_disk, proposal)


def apply_to_disk(proposal: EditProposal) -> EditOutcome:
    # Write through a symlink to its target, so the link itself survives.
    path = proposal.path.resolve()
    try:
        current = _current(path)
    except (OSError, textfile.BinaryFile) as exc:
        return EditOutcome(applied=False, message=f"cannot read {path}: {exc}")
    if current is None and proposal.old_text is not None:
        return EditOutcome(applied=False, message="stale: the file was deleted")
    if current is not None and current[0] != proposal.old_text:
        what = "created" if proposal.old_text is None else "changed"
        return EditOutcome(applied=False, message=f"stale: the file was {what} on disk")
    try:
        if proposal.new_text is None:
            path.unlink(missing_ok=True)
            return EditOutcome(applied=True, final_text=None)
        text = proposal.new_text
        encoding = "utf-8"
        if current is not None:
            text = textfile.with_newline(text, textfile.newline_of(current[0]))
            encoding = current[1]
        atomic_write(path, textfile.encode(text, encoding))
    except (OSError, UnicodeEncodeError) as exc:
        return EditOutcome(applied=False, message=f"write failed: {exc}")
    return EditOutcome(applied=True, final_text=text)


def _current(path: Path) -> tuple[str, str] | None:
    try:
        return textfile.decode(path.read_bytes())
    except FileNotFoundError:
        return None


def atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    remove_litter(path.parent)
    prefix = f".{path.name}.{LITTER_MARK}{os.getpid()}."
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=".tmp")
    _journal(tmp)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)  # mkstemp creates 0600
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


# Temp files are named `.<file>.lsp-agent-<pid>.<random>.tmp`: one whose process is gone was left
# by a write killed mid-way, and the next write in that directory removes it.
LITTER_MARK = "lsp-agent-"
_LITTER = re.compile(rf"^\..+\.{LITTER_MARK}(\d+)\.[^.]+\.tmp$")


def remove_litter(directory: Path) -> list[Path]:
    """Delete the temp files of killed writes in `directory`; returns what was removed."""
    removed = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(directory):
            match = _LITTER.match(entry.name)
            if match and not _alive(int(match.group(1))):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
    return removed


# Every temp file is also listed in a journal of its writer's (`<data dir>/pending-writes/<pid>`),
# so a start can find the litter of killed writers without walking the workspace.
JOURNAL_DIR = "pending-writes"


def _journal(tmp: str) -> None:
    with contextlib.suppress(OSError):
        folder = data_dir() / JOURNAL_DIR
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / str(os.getpid()), "a", encoding="utf-8") as journal:
            journal.write(tmp + "\n")


def remove_journaled_litter() -> list[Path]:
    """At start: delete the temp files that writers killed mid-write left anywhere (as their
    journals list them), and the journals of processes that are gone. Returns what was
    removed."""
    removed: list[Path] = []
    folder = data_dir() / JOURNAL_DIR
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if not entry.name.isdigit() or _alive(int(entry.name)):
                continue
            with contextlib.suppress(OSError):
                listed = Path(entry.path).read_text(encoding="utf-8").splitlines()
                for line in listed:
                    match = _LITTER.match(os.path.basename(line))
                    # Only what this naming says that process wrote: a journal is no licence
                    # to delete anything else.
                    if match and match.group(1) == entry.name and os.path.lexists(line):
                        with contextlib.suppress(OSError):
                            os.unlink(line)
                            removed.append(Path(line))
                os.unlink(entry.path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def _umask() -> int:
    # Reading the umask through os.umask() briefly changes it for every thread; Linux exposes
    # it read-only in /proc.
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    return 0o022
