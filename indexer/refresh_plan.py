"""What a refresh has to do: the tree scanned and compared with the index, giving the files to
(re)parse and the ones to drop.

On a large tree this is seconds of Python (56,000 files: listing the folders, a stat each, a
dict of every indexed file). A server runs it in a child process (`search_build.in_child`) so
that its event loop does not wait behind it for the GIL: on a warm start that is the moment
the user's first symbol searches arrive. The CLI runs it in-process.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from indexer.batches import changed_files
from indexer.scan import ScanLimits, scan
from indexer.store import Store
from indexer.worker import Job


@dataclass(frozen=True, slots=True)
class RefreshPlan:
    jobs: list[Job]  # (path, language, known hash or "")
    sizes: dict[str, int]  # path -> size as scanned, for balancing the batches
    removed: list[str]  # indexed paths no longer in the tree
    skipped: int  # files the scan left out (too large, unreadable)
    capped: str  # why the scan stopped early, if it did
    first: bool  # nothing was indexed yet


def plan_refresh(
    root: str,
    excludes: Sequence[str],
    max_file_size: int,
    limits: ScanLimits,
    scan_record: Path,
    db_path: Path,
) -> RefreshPlan:
    scanned = scan(root, excludes, max_file_size, limits, scan_record)
    store = Store(db_path, root, existing=True)  # the caller's Store created or rebuilt it
    try:
        known = store.file_table()
    finally:
        store.close()
    current = {f.path for f in scanned.files}
    changed = changed_files(scanned.files, known)
    return RefreshPlan(
        jobs=[(f.path, f.language, known[f.path][3] if f.path in known else "") for f in changed],
        sizes={f.path: f.size for f in changed},
        removed=[p for p in known if p not in current],
        skipped=scanned.skipped,
        capped=scanned.capped,
        first=not known,
    )
