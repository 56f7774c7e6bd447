"""Recent workspace/symbol answers, reused while nothing they depend on has changed.

An editor asks the same few queries again and again (each keystroke of a name, a picker
reopened). A repeated query is answered on the event loop, without a thread hop, the index's
ranking or a database read: during a cold build those wait behind the indexing threads for the
GIL and took tens of milliseconds (bench/busy_latency.py). An answer is kept until its key
changes: every folder's `WorkspaceIndex.search_version` (bumped by every committed write) and
the text of every open buffer (their symbols rank with the index's, and the conversion of
columns reads them).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

T = TypeVar("T")
SIZE = 32


class RecentAnswers(Generic[T]):
    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self._answers: OrderedDict[Hashable, T] = OrderedDict()

    def get(self, key: Hashable) -> T | None:
        answer = self._answers.get(key)
        if answer is not None:
            self._answers.move_to_end(key)
        return answer

    def put(self, key: Hashable, answer: T) -> None:
        self._answers[key] = answer
        self._answers.move_to_end(key)
        while len(self._answers) > self.size:
            self._answers.popitem(last=False)
