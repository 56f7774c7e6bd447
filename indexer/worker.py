"""The work done for one file, in a pool process or inline: read, hash, parse, extract, store.

Pool workers write their batches into the index themselves (SQLite serialises the writers,
and each batch is one short transaction): shipping every row back to the parent cost a pickle,
an unpickle and a third busy process on a two-core machine. Only (path, status) goes back.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import threading
import time
from pathlib import Path

from indexer.extract import RefRow, SymbolRow, extract_source
from indexer.store import Store, content_hash

log = logging.getLogger(__name__)

BINARY_SNIFF = 8192
PARENT_POLL_S = 0.5

# (path, language, known hash or "")
Job = tuple[str, str, str]
# (path, status, language, (size, mtime_ns), hash, has_errors, symbols, refs)
# status: "parsed", "same" (hash unchanged: no parse), "binary", "gone", "error: ..."
Result = tuple[str, str, str, tuple[int, int], str, bool, list[SymbolRow], list[RefRow]]


def read_source(path: str) -> tuple[bytes, tuple[int, int]]:
    """The file's bytes and its (size, mtime_ns) as of the read."""
    with open(path, "rb") as f:
        st = os.fstat(f.fileno())
        return f.read(), (st.st_size, st.st_mtime_ns)


def run_job(job: Job) -> Result:
    path, language, known_hash = job
    try:
        data, stat = read_source(path)
    except FileNotFoundError:
        return (path, "gone", language, (0, 0), "", False, [], [])
    except OSError as exc:
        return (path, f"error: {exc}", language, (0, 0), "", False, [], [])
    if b"\0" in data[:BINARY_SNIFF]:
        return (path, "binary", language, stat, "", False, [], [])
    digest = content_hash(data)
    if digest == known_hash:
        return (path, "same", language, stat, digest, False, [], [])
    try:
        symbols, refs, has_errors = extract_source(data, language)
    except Exception as exc:  # a grammar or query failure skips the file, never the index
        log.exception("cannot index %s", path)
        return (path, f"error: {exc}", language, stat, "", False, [], [])
    return (path, "parsed", language, stat, digest, has_errors, symbols, refs)


def write_results(store: Store, results: list[Result], new: bool = False) -> None:
    """Store each result's rows (call inside a transaction). `new`: none is indexed yet."""
    for path, status, language, stat, digest, errors, symbols, refs in results:
        if status == "parsed":
            store.replace_file(path, language, stat, digest, errors, symbols, refs, new)
        elif status == "same":
            store.touch_file(path, stat)
        else:
            store.remove_files([path])


_store: Store | None = None  # a pool worker's own connection to the index


def init_pool_worker(
    db_path: str, root: str, bulk: bool, niceness: int = 0, owner: int = 0
) -> None:
    """`owner`: the pid of the process that made the pool (0: the parent)."""
    global _store
    if niceness:
        with contextlib.suppress(OSError):
            os.nice(niceness)
    # Workers only build acyclic tuples and drop trees by reference counting: the cyclic
    # collector would re-scan a growing heap for nothing (about 4% of a cold index).
    gc.disable()
    _store = Store(db_path, root, existing=True, bulk=bulk)
    exit_when_gone(owner or os.getppid())


def exit_when_gone(owner: int) -> None:
    """Exit when the pool's owner dies (killed, say). A worker waiting for its next batch would
    wait forever otherwise: its siblings, forked with the same pipe, keep the queue from closing.
    The owner, not the parent: a forkserver worker's parent is the fork server, which outlives
    a killed owner for as long as it has children, so watching it would keep them all alive."""

    def alive() -> bool:
        try:
            os.kill(owner, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # someone else's process: the pid was reused, the owner is gone
            return False
        try:  # a killed owner its own parent has not reaped yet is a zombie: gone too
            stat = Path(f"/proc/{owner}/stat").read_text()
        except OSError:
            return True  # no /proc (macOS): the signal test is all there is
        return stat.rpartition(")")[2].split()[:1] != ["Z"]

    def watch() -> None:
        while alive():
            time.sleep(PARENT_POLL_S)
        os._exit(1)  # a batch in hand is lost; its transaction was not committed

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def run_batch(jobs: list[Job], new: bool = False) -> list[tuple[str, str]]:
    """Index `jobs` and commit their rows in one transaction; (path, status) for each."""
    results = [run_job(job) for job in jobs]
    assert _store is not None, "init_pool_worker opens the store"
    _store.begin()
    try:
        write_results(_store, results, new)
    except BaseException:
        _store.rollback()
        raise
    _store.commit()
    return [(path, status) for path, status, *_ in results]
