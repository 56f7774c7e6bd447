"""Fuzzy symbol search over an in-memory snapshot of every symbol name.

Names are joined into one newline-separated string, with two parallel strings of the same
shape: a word-start mask and the names' initials (`getUserById` and `get_user_by_id` both give
`gubi`). Each ranking tier is then one regular-expression pass in C over those strings, and a
tier is only computed when the better tiers have not filled the limit, so a query over 100k
names costs a few milliseconds instead of a Python loop per name.

Tiers, best first: exact, prefix, word-start substring, initials prefix, substring, then
in-order subsequence. Within a tier, a case-sensitive match, then shorter names, win.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate

# A character that does not start a word: a separator, a lowercase letter or digit after a
# letter or digit, or a capital inside a run of capitals that is not followed by lowercase
# (the `S` of `HTTPServer` starts a word, the `T`s do not).
_NOT_WORD_START = re.compile(r"[^\w\n]|_|(?<=[A-Za-z0-9])[a-z0-9]|(?<=[A-Z])[A-Z](?![a-z])")
_MASK_REST = re.compile(r"[^\x00\n]")


@dataclass(slots=True)
class SearchIndex:
    ids: array  # symbol id per name, in name order
    names: list[str]  # original case, for case-sensitive tie-breaks
    lower: str  # "\n".join(lowercased names) + "\n"
    mask: str  # same shape as `lower`: "\x01" where a word starts, "\x00" elsewhere
    initials: str  # "\n".join(initials) + "\n"
    starts: array  # offset of each name in `lower` / `mask`
    initial_starts: array  # offset of each name's initials in `initials`
    generation: int = 0

    @classmethod
    def build(cls, rows: Sequence[tuple[int, str]], generation: int = 0) -> SearchIndex:
        names = [name.replace("\n", " ") for _, name in rows]
        joined = "\n".join(names) + "\n"
        marked = _NOT_WORD_START.sub("\x00", joined)
        initials = marked.replace("\x00", "").lower()
        return cls(
            ids=array("q", (i for i, _ in rows)),
            names=names,
            lower=joined.lower(),
            mask=_MASK_REST.sub("\x01", marked),
            initials=initials,
            starts=_line_starts(names),
            initial_starts=_line_starts(initials[:-1].split("\n") if names else []),
            generation=generation,
        )

    def __len__(self) -> int:
        return len(self.names)

    def search(self, query: str, limit: int = 100) -> list[int]:
        """Symbol ids best first (at most `limit`); an empty query lists names in order."""
        query = query.strip()
        if not query:
            return list(self.ids[:limit])
        chosen: list[int] = []
        seen: set[int] = set()
        for tier in self._tiers(query.lower()):
            fresh = [i for i in dict.fromkeys(tier) if i not in seen]
            fresh.sort(
                key=lambda i: (query not in self.names[i], len(self.names[i]), self.names[i])
            )
            for i in fresh[: limit - len(chosen)]:
                seen.add(i)
                chosen.append(i)
            if len(chosen) >= limit:
                break
        return [self.ids[i] for i in chosen]

    def _tiers(self, q: str) -> Iterator[list[int]]:
        esc = re.escape(q)
        yield self._lines(re.finditer(f"^{esc}$", self.lower, re.MULTILINE), self.starts)
        yield self._lines(re.finditer(f"^{esc}", self.lower, re.MULTILINE), self.starts)
        hits = [m.start() for m in re.finditer(esc, self.lower)]
        yield [self._line(p, self.starts) for p in hits if self.mask[p] == "\x01"]
        if "\n" not in q and len(q) <= 12:
            found = re.finditer(f"^{esc}", self.initials, re.MULTILINE)
            yield self._lines(found, self.initial_starts)
        yield [self._line(p, self.starts) for p in hits]
        fuzzy = "[^\n]*?".join(re.escape(c) for c in q)
        yield self._lines(re.finditer(fuzzy, self.lower), self.starts)

    def _lines(self, matches: Iterator[re.Match[str]], starts: array) -> list[int]:
        return [self._line(m.start(), starts) for m in matches]

    @staticmethod
    def _line(pos: int, starts: array) -> int:
        return bisect_right(starts, pos) - 1


def _line_starts(parts: Sequence[str]) -> array:
    # offset of part k = sum of (len + 1) of the parts before it
    return (
        array("q", accumulate((len(p) + 1 for p in parts[:-1]), initial=0)) if parts else array("q")
    )
