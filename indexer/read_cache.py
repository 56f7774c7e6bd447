"""Definitions and name spellings a search read, kept for the searches after it.

A user types into a symbol picker, and each keystroke is a query (`Int`, `Inte`, `Inter`):
successive answers share most of their names, and reading each name's definitions again
(SQLite, then a `Symbol` per row) and its spelling was about half of a fresh query's time
(bench/busy_latency.py --fresh). One cache per reader connection (one per thread), emptied
whenever any connection has committed since it was filled (`PRAGMA data_version`), so what
it gives is never older than a read would be.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from indexer import reads as q
from indexer.model import Symbol

MAX_NAMES = 20_000  # names whose definitions are kept before starting over (a few MB)
MAX_SPELLINGS = 200_000


class ReadCache:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._version: int | None = None
        # name id -> (its definitions, oldest first; whether that is all of them)
        self._definitions: dict[int, tuple[list[Symbol], bool]] = {}
        self._spellings: dict[int, str] = {}

    def check(self) -> None:
        """Forget everything if the database changed since the last check (call once per
        search, before reading through the cache)."""
        version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        if version != self._version:
            self._version = version
            self._definitions.clear()
            self._spellings.clear()

    def spellings(self, name_ids: Sequence[int]) -> dict[int, str]:
        """The names with these ids, as spelled (`SearchIndex.original`)."""
        known = self._spellings
        missing = [i for i in name_ids if i not in known]
        if missing:
            if len(known) > MAX_SPELLINGS:
                known.clear()
            known.update(q.names_by_id(self.conn, missing))
        return {i: known[i] for i in name_ids if i in known}

    def definitions(self, name_ids: Sequence[int], limit: int) -> list[tuple[int, Symbol]]:
        """`reads.definitions_of_names`: the definitions of each name in turn, at most `limit`
        in all, reading only the names not kept (each run of them in one go)."""
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
            if len(self._definitions) > MAX_NAMES:
                self._definitions.clear()
            # Stops when `need` definitions are read: `found` is then full.
            for name_id, symbols, complete in q.definitions_by_name(
                self.conn, name_ids[at:end], need
            ):
                self._definitions[name_id] = (symbols, complete)
                found += [(name_id, symbol) for symbol in symbols]
            at = end
        return found[:limit]

    def _kept(self, name_id: int, need: int) -> list[Symbol] | None:
        entry = self._definitions.get(name_id)
        if entry is None:
            return None
        symbols, complete = entry
        return symbols[:need] if complete or len(symbols) >= need else None
