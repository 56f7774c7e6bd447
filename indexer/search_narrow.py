"""The lines a subsequence tier found for recent queries, so that a query extending one of them
tries those lines only instead of scanning the names again.

A symbol picker sends a query per keystroke (`Deci`, `Decim`, `Decima`). Every name in which
the subsequence tiers (`indexer.search`) find `Decim` they also found `Deci` in, at the same
start: the tiers' patterns take the earliest occurrence of each next character, so a match of
the longer query begins with a match of the shorter one. When a tier's scan for a query ran to
its end, the lines it found are kept here (per tier, for a few queries); a later query that
extends one of them tries the regular expression on those lines, in order, which gives the
hits of a full scan in the same order. Past four thousand lines a scan of the text costs about
as much, so longer lists are not kept. One per index: the lines are that index's.

The inner subsequence tier over the capitalised word starts took 3-5 ms to scan a standard
library's names in full, and those queries (a few letters that name fewer than 20 things)
reach it on most keystrokes.
"""

from __future__ import annotations

import threading

MAX_LINES = 4_000
KEPT = 16  # queries kept per index, all tiers together: the oldest goes first


class Narrowing:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: dict[tuple[str, str | bytes], list[int]] = {}

    def lines(self, tier: str, query: str | bytes) -> list[int] | None:
        """The lines `tier` found for the longest kept query that `query` starts with."""
        kept = self._kept
        for end in range(len(query), 0, -1):
            found = kept.get((tier, query[:end]))
            if found is not None:
                return found
        return None

    def keep(self, tier: str, query: str | bytes, lines: list[int]) -> None:
        """What `tier` found for `query`, in a scan (full or narrowed) that ran to its end."""
        if len(lines) > MAX_LINES:
            return
        with self._lock:
            kept = self._kept
            kept.pop((tier, query), None)
            if len(kept) >= KEPT:
                del kept[next(iter(kept))]
            kept[tier, query] = lines
