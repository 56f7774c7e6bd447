"""Several workspace roots answered as one index (a multi-root workspace: one `WorkspaceIndex`
per folder, each with its own database).

Search results merge by the rank keys each index's search gives (`SearchIndex.ranked`), so an
exact match in the second folder still comes before a prefix match in the first. Per-file
questions go to the innermost root holding the file, so nested folders do not answer twice.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from indexer.model import Reference, Symbol

if TYPE_CHECKING:  # only annotations: importing this module stays cheap (`OnDemandIndex`)
    from indexer.workspace import WorkspaceIndex

Found = TypeVar("Found", Symbol, Reference)


class MultiRootIndex:
    """The indexes of several roots behind `WorkspaceIndex`'s read methods.

    `indexes` is a list, or a function returning the current list: a host whose folders come and
    go (an editor) passes a function, so a holder of this object always sees the live set."""

    def __init__(
        self, indexes: Sequence[WorkspaceIndex] | Callable[[], Sequence[WorkspaceIndex]]
    ) -> None:
        self._indexes = indexes

    @property
    def indexes(self) -> list[WorkspaceIndex]:
        current = self._indexes() if callable(self._indexes) else self._indexes
        return list(current)

    @property
    def roots(self) -> list[str]:
        return [index.root for index in self.indexes]

    def index_for(self, path: str) -> WorkspaceIndex | None:
        """The index that answers for `path`: the innermost root holding it that has it
        indexed, else the innermost root holding it (None outside every root). A nested root
        still indexing, or excluding the file, leaves it to the outer one."""
        path = os.path.abspath(path)
        holding = sorted(
            (
                index
                for index in self.indexes
                if path == index.root or path.startswith(index.root.rstrip(os.sep) + os.sep)
            ),
            key=lambda index: len(index.root),
            reverse=True,
        )
        if len(holding) > 1:
            return next((index for index in holding if index.has_file(path)), holding[0])
        return holding[0] if holding else None

    def search(self, query: str, limit: int = 100) -> list[Symbol]:
        """Fuzzy search over every root, ranked as one index would rank them."""
        indexes = self.indexes
        if len(indexes) == 1:  # every file it holds is its own (`_owner`)
            return [symbol for _, symbol in indexes[0].ranked_search(query, limit)]
        found: list[tuple[object, int, int, Symbol]] = []
        for n, index in enumerate(indexes):
            owned: dict[str, bool] = {}  # by path: a search's results share few files
            for position, (key, symbol) in enumerate(index.ranked_search(query, limit)):
                mine = owned.get(symbol.path)
                if mine is None:
                    mine = owned[symbol.path] = self._owner(symbol.path, index)
                if mine:
                    found.append((key, n, position, symbol))
        found.sort(key=lambda item: item[:3])
        return [symbol for *_, symbol in found[:limit]]

    def definitions(self, name: str) -> list[Symbol]:
        return self._gather(lambda index: index.definitions(name))

    def references(self, name: str) -> list[Reference]:
        return self._gather(lambda index: index.references(name))

    def file_symbols(self, path: str) -> list[Symbol]:
        index = self.index_for(path)
        return index.file_symbols(path) if index is not None else []

    def file_references(self, path: str) -> list[Reference]:
        index = self.index_for(path)
        return index.file_references(path) if index is not None else []

    def _gather(self, lookup: Callable[[WorkspaceIndex], list[Found]]) -> list[Found]:
        """`lookup` in every root, each result from the root that owns its file."""
        return [
            item
            for index in self.indexes
            for item in lookup(index)
            if self._owner(item.path, index)
        ]

    def _owner(self, path: str, index: WorkspaceIndex) -> bool:
        # A folder nested in another is indexed by both: only the innermost one answers for it.
        return self.index_for(path) is index


class OnDemandIndex:
    """Several roots' indexes, opened and refreshed when a symbol is first asked for, and
    refreshed again on later questions at most once a second (so files a run edited show up).

    For hosts that may never need symbols, like the CLI's `ask`: nothing is imported or read
    before then. A warm persistent index opens in tens of milliseconds; a cold one is built."""

    REFRESH_AFTER = 1.0  # seconds

    def __init__(
        self, roots: Sequence[str | Path], opener: Callable[[str], WorkspaceIndex]
    ) -> None:
        self._roots = [str(root) for root in roots]
        self._opener = opener
        self._index: MultiRootIndex | None = None
        self._refreshed = 0.0
        self._lock = threading.Lock()  # tools call from worker threads, maybe at once

    def current(self) -> MultiRootIndex:
        with self._lock:
            if self._index is None:
                self._index = MultiRootIndex([self._opener(root) for root in self._roots])
            if time.monotonic() - self._refreshed >= self.REFRESH_AFTER:
                for index in self._index.indexes:
                    index.refresh()
                self._refreshed = time.monotonic()
            return self._index

    def search(self, query: str, limit: int = 100) -> list[Symbol]:
        return self.current().search(query, limit)

    def definitions(self, name: str) -> list[Symbol]:
        return self.current().definitions(name)

    def references(self, name: str) -> list[Reference]:
        return self.current().references(name)

    def file_symbols(self, path: str) -> list[Symbol]:
        return self.current().file_symbols(path)

    def file_references(self, path: str) -> list[Reference]:
        return self.current().file_references(path)

    def close(self) -> None:
        with self._lock:
            for index in self._index.indexes if self._index is not None else []:
                index.close()
            self._index = None
