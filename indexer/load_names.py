"""Which symbols define each name, kept in memory while a cold bulk load has dropped the name
index (`Store.begin_bulk_load`).

Without the index, reading the definitions of a search's names is a scan of every symbol (25
ms for the standard library's 86,000, each fresh workspace/symbol during the load). This map
reads only the symbols committed since the last search (a rowid range: the load only appends,
and SQLite's one writer at a time commits increasing ids), keeps each name's first `CAP` ids,
and the definitions are then read by rowid. It gives up past `MAX_SYMBOLS` symbols (memory)
and for limits above `CAP`: the caller scans instead.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence

CAP = 100  # ids kept per name: workspace/symbol's limit
MAX_SYMBOLS = 200_000  # past this (a large index) the map would cost tens of MB: scan


class LoadNames:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        # name id -> its first symbol ids, oldest first: an int for a name defined once (most
        # are: a list each would double the map's size, ~10 MB for the stdlib's 49,000 names)
        self._ids: dict[int, int | list[int]] | None = {}
        self._last = 0  # the newest symbol id read into the map
        self._count = 0

    def definitions(
        self, conn: sqlite3.Connection, name_ids: Sequence[int], limit: int
    ) -> dict[int, list[int]] | None:
        """Up to `limit` symbol ids of each name, oldest first, as of now; None when the map
        cannot say (too many symbols, or a limit above CAP)."""
        if limit > CAP:
            return None
        with self._lock:  # searches run in several threads
            ids = self._ids
            if ids is None:
                return None
            rows = conn.execute(
                "SELECT id, name_id FROM symbols WHERE id > ? ORDER BY id", (self._last,)
            )
            for symbol_id, name_id in rows:
                self._last = symbol_id
                self._count += 1
                if self._count > MAX_SYMBOLS:  # give up now, not after a monorepo's rows
                    self._ids = None
                    return None
                found = ids.get(name_id)
                if found is None:
                    ids[name_id] = symbol_id
                elif isinstance(found, int):
                    ids[name_id] = [found, symbol_id]
                elif len(found) < CAP:
                    found.append(symbol_id)
            return {name_id: _listed(ids.get(name_id))[:limit] for name_id in name_ids}


def _listed(found: int | list[int] | None) -> list[int]:
    if found is None:
        return []
    return [found] if isinstance(found, int) else found
