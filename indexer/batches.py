"""Which scanned files a refresh indexes, and how they are handed to the pool in batches."""

from __future__ import annotations

from indexer.scan import ScannedFile
from indexer.worker import Job

BATCH_BYTES = 256 * 1024
BATCH_FILES = 16


def changed_files(
    files: list[ScannedFile], known: dict[str, tuple[int, int, int, str]]
) -> list[ScannedFile]:
    """Files whose size or mtime differ from the index (or that are new)."""
    out = []
    for f in files:
        entry = known.get(f.path)
        if entry is None or entry[1] != f.size or entry[2] != f.mtime_ns:
            out.append(f)
    return out


def batches(jobs: list[Job], sizes: dict[str, int]) -> list[list[Job]]:
    """Group jobs (largest first) into batches of about BATCH_BYTES (one transaction and one
    round trip each), and at most BATCH_FILES: the small files come last, and a batch of
    hundreds of them would leave the other cores idle at the end."""
    batches: list[list[Job]] = []
    current: list[Job] = []
    total = 0
    for job in jobs:
        current.append(job)
        total += sizes[job[0]]
        if total >= BATCH_BYTES or len(current) >= BATCH_FILES:
            batches.append(current)
            current, total = [], 0
    if current:
        batches.append(current)
    return batches
