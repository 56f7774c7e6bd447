"""Builds of the search structures (`indexer.search`) from the database: the search file, and
the in-memory part for the names defined since it was written. A server runs them in a child
process (`in_child`): they are seconds, or hundreds of milliseconds, of Python that holds the
GIL, and the server's event loop would wait behind them; the CLI runs them in-process.
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from indexer import reads as q
from indexer.search import SearchIndex
from indexer.search_blocks import BLOCK_LINES, MAP_MIN_SYMBOLS
from indexer.search_sections import Built, build_sections

T = TypeVar("T")


def write_search_file(db_path: str, search_path: str, epoch: str, niceness: int = 0) -> None:
    """Write the search file for everything the database holds now (one read snapshot)."""
    if niceness:
        os.nice(niceness)
    reader = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        reader.execute("BEGIN")  # one snapshot for both statements
        last = q.last_symbol_id(reader)
        if last >= MAP_MIN_SYMBOLS:
            # The names' ORDER BY runs before anything else can start (the kernel's 3.3
            # million: 5.6 s to the first row); SQLite's sorter may use a helper thread on
            # the core that is idle then (3.1 s).
            reader.execute("PRAGMA threads = 2")
        chunks = q.defined_names(reader, last)
        blocks = BLOCK_LINES if last >= MAP_MIN_SYMBOLS else None
        SearchIndex.write_file(search_path, chunks, epoch, last, blocks)
    finally:
        reader.close()


def delta_sections(db_path: str, last: int) -> Built:
    """The in-memory search part's sections for the names defined after symbol `last`."""
    reader = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return build_sections(q.names_since(reader, last))
    finally:
        reader.close()


def in_child(fn: Callable[..., T], *args: object) -> T:
    """`fn(*args)` in a child process, waiting for it: the server's event loop never waits
    for the GIL behind the Python a search file, the search's in-memory part during a
    refresh, or a refresh's scan (`refresh_plan`) costs (seconds, or hundreds of
    milliseconds, each)."""
    context = mp_context()
    receive, send = context.Pipe(duplex=False)
    child = context.Process(
        target=_send_result, args=(send, fn, *args), name=f"lsp-agent-{fn.__name__}", daemon=True
    )
    child.start()
    send.close()
    try:
        result = receive.recv()
    except EOFError:
        result = None
    child.join()
    receive.close()
    if child.exitcode != 0 or not isinstance(result, tuple) or result[0] != "ok":
        raise RuntimeError(
            f"{fn.__name__} failed in a child process (exit {child.exitcode}): {result}"
        )
    return result[1]


def _send_result(send: Any, fn: Callable[..., object], *args: object) -> None:
    try:
        result = ("ok", fn(*args))
    except Exception as exc:
        result = ("error", repr(exc))
    send.send(result)
    send.close()


def mp_context():
    # fork is fastest but unsafe once other threads run (the server); forkserver is safe there.
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["indexer.worker"])  # workers start with grammars loaded
        return context
    return multiprocessing.get_context("spawn")
