"""Fuzzy symbol search over an in-memory snapshot of every symbol name.

Names are joined into one newline-separated string, with two parallel strings of the same
shape: a word-start mask and the names' initials (`getUserById` and `get_user_by_id` both give
`gubi`). Each ranking tier is then one regular-expression pass in C over those strings, and a
tier is only computed when the better tiers have not filled the limit, so a query over 100k
names costs a few milliseconds instead of a Python loop per name.

Tiers, best first: exact (same case first), prefix (same case first), word-start substring,
initials prefix, substring, then in-order subsequence from a word start. Within a tier, shorter
names come first.
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
FUZZY_TIER = 4  # the index of the first subsequence tier in `_tiers`
FUZZY_BELOW = 20  # run it only when the other tiers found fewer names than this
FUZZY_MAX_QUERY = 10  # and only for queries short enough to be abbreviations
RankKey = tuple[int, bool, int, bool]  # (tier, not exact, length, other case): lower is better


@dataclass(slots=True)
class SearchIndex:
    ids: array  # symbol id per name, in name order
    names: list[str]  # original case, shortest first
    joined: str  # "\n" + "\n".join(names) + "\n", so "\nfoo" finds the prefix `foo`
    lower: str  # the same, lowercased
    mask: str  # same shape as `lower`: "\x01" where a word starts, "\x00" elsewhere
    initials: str  # "\n" + "\n".join(initials) + "\n"
    starts: array  # offset of each name in `lower` / `mask`
    initial_starts: array  # offset of each name's initials in `initials`
    # Every suffix of every name that begins at an inner word start ("userbyid", "byid", "id"
    # for getUserById), one per line: a word-start match is then a prefix match here.
    suffixes: str
    suffix_starts: array
    suffix_owner: array  # name index per suffix line
    generation: int = 0

    @classmethod
    def build(cls, rows: Sequence[tuple[int, str]], generation: int = 0) -> SearchIndex:
        # Shortest names first: every tier's hits then come out already ranked, so a tier
        # stops scanning as soon as it has `limit` hits.
        rows = sorted(rows, key=lambda r: (len(r[1]), r[1]))
        names = [name.replace("\n", " ") for _, name in rows]
        joined = "\n" + "\n".join(names) + "\n"
        marked = _NOT_WORD_START.sub("\x00", joined)
        initials = marked.replace("\x00", "").lower()
        lower = joined.lower()
        mask = _MASK_REST.sub("\x01", marked)
        starts = _line_starts(names)
        suffixes, owners = _word_suffixes(lower, mask, starts, names)
        return cls(
            ids=array("q", (i for i, _ in rows)),
            names=names,
            joined=joined,
            lower=lower,
            mask=mask,
            initials=initials,
            starts=starts,
            initial_starts=_line_starts(initials[1:-1].split("\n") if names else []),
            suffixes="\n" + "\n".join(suffixes) + "\n",
            suffix_starts=_line_starts(suffixes),
            suffix_owner=owners,
            generation=generation,
        )

    def __len__(self) -> int:
        return len(self.names)

    def search(self, query: str, limit: int = 100) -> list[int]:
        """Symbol ids best first (at most `limit`); an empty query lists the shortest names."""
        return [symbol_id for _, symbol_id in self.ranked(query, limit)]

    def ranked(self, query: str, limit: int = 100) -> list[tuple[RankKey, int]]:
        """(rank key, symbol id) best first. Keys compare across snapshots, so the results of
        several roots' indexes merge by sorting on them (`indexer.multiroot`)."""
        query = query.strip().replace("\n", " ")
        if not query:
            shortest = range(min(limit, len(self)))
            return [((0, False, len(self.names[i]), False), self.ids[i]) for i in shortest]
        chosen: dict[int, int] = {}  # name index -> tier
        for rank, tier in enumerate(self._tiers(query, limit)):
            if rank >= FUZZY_TIER and (len(chosen) >= FUZZY_BELOW or len(query) > FUZZY_MAX_QUERY):
                break  # enough plain matches, or a query too long to be an abbreviation
            for i in tier:
                chosen.setdefault(i, rank)
                if len(chosen) >= limit:
                    return [(self._key(query, i, r), self.ids[i]) for i, r in chosen.items()]
        return [(self._key(query, i, r), self.ids[i]) for i, r in chosen.items()]

    def _key(self, query: str, i: int, tier: int) -> RankKey:
        # The order `_tiers` yields: by tier, shorter names first; in the prefix tier exact
        # names first, and the same case first among names of one length.
        name = self.names[i]
        if tier:
            return (tier, False, len(name), False)
        return (0, len(name) != len(query), len(name), not name.startswith(query))

    def _tiers(self, query: str, limit: int) -> Iterator[Iterator[int]]:
        # One str.find pass (C, memchr-fast) per tier; Python's re is slow with ^ in MULTILINE.
        q = query.lower()
        lower, starts, owner = self.lower, self.starts, self.suffix_owner
        yield iter(self._prefix_tier(query, limit))
        yield (owner[i] for i in self._hits(self.suffixes, f"\n{q}", self.suffix_starts, 1))
        yield self._hits(self.initials, f"\n{q}", self.initial_starts, 1)
        yield (self._line(p, starts) for p in _find_all(lower, q))
        # In-order subsequence starting at a word start (of the name, or of an inner word via
        # the suffix lines). Possessive runs that stop at the next wanted character keep each
        # attempt linear, and the leading "\n"+char is a literal the regex engine scans for.
        rest = "".join(f"[^\n{re.escape(c)}]*+{re.escape(c)}" for c in q[1:])
        fuzzy = re.compile(f"\n{re.escape(q[0])}{rest}")
        yield (self._line(m.start() + 1, starts) for m in fuzzy.finditer(lower))
        yield (
            owner[self._line(m.start() + 1, self.suffix_starts)]
            for m in fuzzy.finditer(self.suffixes)
        )

    def _prefix_tier(self, query: str, limit: int) -> list[int]:
        """Names starting with the query, shortest first (as scanned), the same case first
        among names of one length. The scan stops after `limit` names and the rest of the
        last one's length, so the order does not depend on the limit."""
        hits: list[int] = []
        for i in self._hits(self.lower, f"\n{query.lower()}", self.starts, 1):
            if len(hits) >= limit and len(self.names[i]) != len(self.names[hits[-1]]):
                break
            hits.append(i)
        return sorted(hits, key=lambda i: (len(self.names[i]), not self.names[i].startswith(query)))

    def _hits(self, haystack: str, needle: str, starts: array, skip: int) -> Iterator[int]:
        return (self._line(p + skip, starts) for p in _find_all(haystack, needle))

    @staticmethod
    def _line(pos: int, starts: array) -> int:
        return bisect_right(starts, pos) - 1


def _line_starts(parts: Sequence[str]) -> array:
    # offset of part k = 1 (the leading newline) + sum of (len + 1) of the parts before it
    return (
        array("q", accumulate((len(p) + 1 for p in parts[:-1]), initial=1)) if parts else array("q")
    )


def _word_suffixes(
    lower: str, mask: str, starts: array, names: list[str]
) -> tuple[list[str], array]:
    suffixes: list[str] = []
    owners = array("q")
    line = 0
    for m in re.finditer("\x01", mask):
        at = m.start()
        while line + 1 < len(starts) and starts[line + 1] <= at:
            line += 1
        if at != starts[line]:  # the name's own start is the prefix tier's business
            suffixes.append(lower[at : starts[line] + len(names[line])])
            owners.append(line)
    return suffixes, owners


def _find_all(haystack: str, needle: str) -> Iterator[int]:
    at = haystack.find(needle)
    while at >= 0:
        yield at
        at = haystack.find(needle, at + 1)
