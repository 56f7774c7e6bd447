"""Definitions and name spellings a search read, kept for the searches after it.

A user types into a symbol picker, and each keystroke is a query (`Int`, `Inte`, `Inter`):
successive answers share most of their names, and reading each name's definitions again
(SQLite, then a `Symbol` per row) and its spelling was a large part of a fresh query's time
(bench/busy_latency.py --fresh). One cache per index, shared by the threads that search it
(each a view over its own reader connection). Everything is forgotten as soon as any thread's
connection sees that another connection committed (`PRAGMA data_version`), and a search
started before that cannot put back what it read: a search never answers from anything older
than a read at its start would give.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence

from indexer import reads as q
from indexer.model import Symbol

MAX_SYMBOLS = 5_000  # definitions kept before starting over (about 1.4 KB each)
MAX_SPELLINGS = 20_000


class ReadCache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.epoch = 0  # bumped by every `forget`: what a search read before is not kept
        # name id -> (its definitions, oldest first; whether that is all of them)
        self.definitions: dict[int, tuple[list[Symbol], bool]] = {}
        self.symbols = 0  # in `definitions`
        self.spellings: dict[int, str] = {}

    def forget(self) -> None:
        with self.lock:
            self.epoch += 1
            self.definitions, self.symbols, self.spellings = {}, 0, {}

    def view(self, conn: sqlite3.Connection) -> ReadView:
        return ReadView(self, conn)


class ReadView:
    """One thread's reads through the shared cache, over that thread's connection."""

    def __init__(self, cache: ReadCache, conn: sqlite3.Connection) -> None:
        self.cache, self.conn = cache, conn
        self._version: int | None = None  # this connection's `data_version` at the last check
        self._epoch = -1  # the cache's epoch when this search started

    def check(self) -> None:
        """Start a search: forget everything if the database changed since this connection
        last looked (another thread's check may have done it already)."""
        version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        if version != self._version:
            self._version = version
            self.cache.forget()
        self._epoch = self.cache.epoch

    def spellings(self, name_ids: Sequence[int]) -> dict[int, str]:
        """The names with these ids, as spelled (`SearchIndex.original`)."""
        cache = self.cache
        known = cache.spellings
        missing = [i for i in name_ids if i not in known]
        if not missing:
            return {i: known[i] for i in name_ids}
        read = q.names_by_id(self.conn, missing)
        with cache.lock:
            if cache.epoch == self._epoch:
                if len(cache.spellings) > MAX_SPELLINGS:
                    cache.spellings = {}
                cache.spellings.update(read)
        return {i: known[i] if i in known else read[i] for i in name_ids if i in known or i in read}

    def definitions(self, name_ids: Sequence[int], limit: int) -> list[tuple[int, Symbol]]:
        """The definitions of each name in turn, at most `limit` in all, reading only the names
        not kept (each run of them in one go, `reads.definitions_by_name`)."""
        found: list[tuple[int, Symbol]] = []
        at = 0
        while at < len(name_ids) and len(found) < limit:
            need = limit - len(found)
            kept = self._kept(name_ids[at], need)
            if kept is not None:
                found += [(name_ids[at], symbol) for symbol in kept]
                at += 1
                continue
            end = at + 1
            while end < len(name_ids) and self._kept(name_ids[end], need) is None:
                end += 1
            # Stops when `need` definitions are read: `found` is then full.
            read = q.definitions_by_name(self.conn, name_ids[at:end], need)
            self._keep(read)
            for name_id, symbols, _ in read:
                found += [(name_id, symbol) for symbol in symbols]
            at = end
        return found[:limit]

    def _keep(self, read: list[tuple[int, list[Symbol], bool]]) -> None:
        cache = self.cache
        with cache.lock:
            if cache.epoch != self._epoch:
                return  # read before a change another thread has seen
            if cache.symbols > MAX_SYMBOLS:
                cache.definitions, cache.symbols = {}, 0
            for name_id, symbols, complete in read:
                cache.definitions[name_id] = (symbols, complete)
                cache.symbols += len(symbols)

    def _kept(self, name_id: int, need: int) -> list[Symbol] | None:
        entry = self.cache.definitions.get(name_id)
        if entry is None:
            return None
        symbols, complete = entry
        return symbols[:need] if complete or len(symbols) >= need else None
