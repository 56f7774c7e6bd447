"""Fuzzy symbol search over the distinct defined names, kept in a file read through a memory map.

Names (UTF-8) are joined into one newline-separated byte string, with parallel strings of the
same shape: lowercased, the names' initials (`getUserById` and `get_user_by_id` both give
`gubi`), and every suffix that begins at an inner word start ("userbyid", "byid", "id"). Each
ranking tier is then one `find` or regular-expression pass in C over those bytes, and a tier is
only computed when the better tiers have not filled the limit. `SearchIndex.write` lays the
strings and their offset arrays out in one file; `SearchIndex.open` maps it, so a server starts
answering at once and the operating system pages in only what queries touch. Nothing is loaded
per name at start.

Tiers, best first: exact (same case first), prefix (same case first), word-start substring,
initials prefix, substring, then in-order subsequence from a word start. Within a tier, shorter
names come first. Case folding is ASCII's (names are matched as UTF-8 bytes).
"""

from __future__ import annotations

import json
import mmap
import os
import re
from array import array
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any, Protocol

# A byte that does not start a word: an ASCII separator, a lowercase letter or digit after a
# letter or digit, or a capital inside a run of capitals that is not followed by lowercase
# (the `S` of `HTTPServer` starts a word, the `T`s do not). Non-ASCII characters are letters.
_NOT_WORD_START = re.compile(
    rb"[^\w\n\x80-\xff]|_|(?<=[A-Za-z0-9])[a-z0-9]|(?<=[A-Z])[A-Z](?![a-z])"
)
_MASK_REST = re.compile(rb"[^\x00\n]")
FUZZY_TIER = 4  # the index of the first subsequence tier in `_tiers`
FUZZY_BELOW = 20  # run it only when the other tiers found fewer names than this
FUZZY_MAX_QUERY = 10  # and only for queries short enough to be abbreviations
RankKey = tuple[int, bool, int, bool]  # (tier, not exact, length, other case): lower is better
MAGIC = b"LSPAGSX1"
ARRAYS = ("ids", "starts", "initial_starts", "suffix_starts", "suffix_owner")
TEXTS = ("joined", "lower", "initials", "suffixes")


class Buffer(Protocol):
    def find(self, sub: bytes, start: int = ..., end: int = ...) -> int: ...
    def __getitem__(self, key: slice) -> bytes: ...
    def __len__(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Text:
    """A section of a bytes object or of a mapped file, searched in place."""

    buf: Any  # bytes or mmap.mmap: both have find() and work with `re`
    start: int
    size: int

    @classmethod
    def of(cls, data: bytes) -> Text:
        return cls(data, 0, len(data))

    def find_all(self, needle: bytes) -> Iterator[int]:
        buf, base, end = self.buf, self.start, self.start + self.size
        at = buf.find(needle, base, end)
        while at >= 0:
            yield at - base
            at = buf.find(needle, at + 1, end)

    def match_starts(self, pattern: re.Pattern[bytes]) -> Iterator[int]:
        base = self.start
        return (m.start() - base for m in pattern.finditer(self.buf, base, base + self.size))

    def slice(self, a: int, b: int | None) -> bytes:
        return self.buf[self.start + a : self.start + (self.size if b is None else b)]


@dataclass(slots=True)
class SearchIndex:
    ids: Any  # name id per line, in line order (an array, or a memoryview of the file)
    joined: Text  # b"\n" + b"\n".join(names) + b"\n", shortest names first
    lower: Text  # the same, ASCII-lowercased (same offsets)
    initials: Text  # b"\n" + b"\n".join(initials) + b"\n"
    starts: Sequence[int]  # offset of each name in `joined` / `lower`
    initial_starts: Sequence[int]  # offset of each name's initials in `initials`
    # Every suffix of every name that begins at an inner word start, one per line: a
    # word-start match is then a prefix match here.
    suffixes: Text
    suffix_starts: Sequence[int]
    suffix_owner: Sequence[int]  # line (name index) per suffix line
    last_symbol: int = 0  # the newest symbol id whose name this index covers
    epoch: str = ""  # the database it was built from (`Store.epoch`)
    generation: int = 0
    _keep: list[Any] = field(default_factory=list)  # the mapping, alive as long as this

    @classmethod
    def build(
        cls, rows: Sequence[tuple[int, str]], generation: int = 0, last_symbol: int = 0
    ) -> SearchIndex:
        # Shortest names first: every tier's hits then come out already ranked, so a tier
        # stops scanning as soon as it has `limit` hits.
        rows = sorted(rows, key=lambda r: (len(r[1]), r[1]))
        names = [name.replace("\n", " ").encode("utf-8", "surrogateescape") for _, name in rows]
        joined = b"\n" + b"\n".join(names) + b"\n"
        marked = _NOT_WORD_START.sub(b"\x00", joined)
        initials = marked.replace(b"\x00", b"").lower()
        lower = joined.lower()
        starts = _line_starts(names)
        suffixes, owners = _word_suffixes(lower, _MASK_REST.sub(b"\x01", marked), starts)
        return cls(
            ids=array("I", (i for i, _ in rows)),
            joined=Text.of(joined),
            lower=Text.of(lower),
            initials=Text.of(initials),
            starts=starts,
            initial_starts=_line_starts(initials[1:-1].split(b"\n") if names else []),
            suffixes=Text.of(b"\n" + b"\n".join(suffixes) + b"\n"),
            suffix_starts=_line_starts(suffixes),
            suffix_owner=owners,
            generation=generation,
            last_symbol=last_symbol,
        )

    def write(self, path: str | Path, epoch: str) -> None:
        """Save to `path` (atomically: a reader keeps the file it mapped)."""
        parts: list[tuple[str, bytes]] = [(n, getattr(self, n).slice(0, None)) for n in TEXTS]
        parts += [(n, getattr(self, n).tobytes()) for n in ARRAYS]
        sections, offset = {}, 0
        for name, data in parts:
            sections[name] = [offset, len(data)]
            offset += len(data) + (-len(data) % 8)  # arrays stay aligned
        header = json.dumps(
            {"sections": sections, "last_symbol": self.last_symbol, "epoch": epoch}
        ).encode()
        header += b" " * (-(len(header) + 16) % 8)
        tmp = f"{path}.tmp{os.getpid()}"
        with open(tmp, "wb") as f:
            f.write(MAGIC + len(header).to_bytes(8, "little") + header)
            for _, data in parts:
                f.write(data + b"\0" * (-len(data) % 8))
        os.replace(tmp, path)

    @classmethod
    def open(cls, path: str | Path) -> SearchIndex | None:
        """Map a file `write` made; None if there is none or it is not one."""
        try:
            with open(path, "rb") as f:
                mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):
            return None
        if mapped[:8] != MAGIC:
            return None
        size = int.from_bytes(mapped[8:16], "little")
        header = json.loads(mapped[16 : 16 + size])
        base = 16 + size
        sections = {k: (base + a, n) for k, (a, n) in header["sections"].items()}
        view = memoryview(mapped)
        arrays: dict[str, Any] = {
            k: view[sections[k][0] : sum(sections[k])].cast("I") for k in ARRAYS
        }
        texts: dict[str, Any] = {k: Text(mapped, *sections[k]) for k in TEXTS}
        return cls(
            **arrays,
            **texts,
            last_symbol=header["last_symbol"],
            epoch=header["epoch"],
            _keep=[mapped],
        )

    def __len__(self) -> int:
        return len(self.ids)

    def name(self, i: int) -> str:
        start = self.starts[i]
        end = self.starts[i + 1] - 1 if i + 1 < len(self.starts) else self.joined.size - 1
        return self.joined.slice(start, end).decode("utf-8", "surrogateescape")

    def search(self, query: str, limit: int = 100) -> list[int]:
        """Name ids best first (at most `limit`); an empty query lists the shortest names."""
        return [name_id for _, name_id in self.ranked(query, limit)]

    def ranked(self, query: str, limit: int = 100) -> list[tuple[RankKey, int]]:
        """(rank key, name id) best first. Keys compare across indexes, so the results of
        several indexes merge by sorting on them (`indexer.multiroot`)."""
        return [(key, name_id) for key, _, name_id in self.ranked_names(query, limit)]

    def ranked_names(self, query: str, limit: int = 100) -> list[tuple[RankKey, str, int]]:
        """(rank key, name, name id) best first: sorting on (key, name) merges several
        indexes into the order one index over all their names would give."""
        query = query.strip().replace("\n", " ")
        if not query:
            shortest = range(min(limit, len(self)))
            return [((0, False, len(self.name(i)), False), self.name(i), self.ids[i])
                    for i in shortest]  # fmt: skip
        chosen: dict[int, int] = {}  # name index -> tier
        for rank, tier in enumerate(self._tiers(query, limit)):
            if rank >= FUZZY_TIER and (len(chosen) >= FUZZY_BELOW or len(query) > FUZZY_MAX_QUERY):
                break  # enough plain matches, or a query too long to be an abbreviation
            for i in tier:
                chosen.setdefault(i, rank)
                if len(chosen) >= limit:
                    break
            if len(chosen) >= limit:
                break
        return [self._key(query, i, r) for i, r in chosen.items()]

    def _key(self, query: str, i: int, tier: int) -> tuple[RankKey, str, int]:
        # The order `_tiers` yields: by tier, shorter names first; in the prefix tier exact
        # names first, and the same case first among names of one length.
        name = self.name(i)
        if tier:
            return (tier, False, len(name), False), name, self.ids[i]
        return (
            (0, len(name) != len(query), len(name), not name.startswith(query)),
            name,
            self.ids[i],
        )

    def _tiers(self, query: str, limit: int) -> Iterator[Iterator[int]]:
        q = query.encode("utf-8", "surrogateescape").lower()
        starts, owner, suffix_starts = self.starts, self.suffix_owner, self.suffix_starts
        yield iter(self._prefix_tier(query, q, limit))
        yield (owner[_line(p + 1, suffix_starts)] for p in self.suffixes.find_all(b"\n" + q))
        yield (_line(p + 1, self.initial_starts) for p in self.initials.find_all(b"\n" + q))
        yield (_line(p, starts) for p in self.lower.find_all(q))
        # In-order subsequence starting at a word start (of the name, or of an inner word via
        # the suffix lines). Possessive runs that stop at the next wanted character keep each
        # attempt linear, and the leading "\n"+char is a literal the regex engine scans for.
        fuzzy = re.compile(b"\n" + _subsequence(query.lower()))
        yield (_line(p + 1, starts) for p in self.lower.match_starts(fuzzy))
        yield (owner[_line(p + 1, suffix_starts)] for p in self.suffixes.match_starts(fuzzy))

    def _prefix_tier(self, query: str, q: bytes, limit: int) -> list[int]:
        """Names starting with the query, shortest first (as scanned), the same case first
        among names of one length. The scan stops after `limit` names and the rest of the
        last one's length, so the order does not depend on the limit."""
        hits: list[int] = []
        lengths: list[int] = []
        for p in self.lower.find_all(b"\n" + q):
            i = _line(p + 1, self.starts)
            length = len(self.name(i))
            if len(hits) >= limit and length != lengths[-1]:
                break
            hits.append(i)
            lengths.append(length)
        return sorted(hits, key=lambda i: (len(self.name(i)), not self.name(i).startswith(query)))


def _span(section: tuple[int, int]) -> tuple[int, int]:
    return section[0], section[0] + section[1]


def _subsequence(query: str) -> bytes:
    parts = []
    for n, char in enumerate(query):
        raw = char.encode("utf-8", "surrogateescape")
        if n == 0:
            parts.append(re.escape(raw))
        elif len(raw) == 1:
            parts.append(b"[^\n" + re.escape(raw) + b"]*+" + re.escape(raw))
        else:  # a multi-byte character: no single-byte class to stop at
            parts.append(b"[^\n]*?" + re.escape(raw))
    return b"".join(parts)


def _line(pos: int, starts: Sequence[int]) -> int:
    return bisect_right(starts, pos) - 1


def _line_starts(parts: Sequence[bytes]) -> array:
    # offset of part k = 1 (the leading newline) + sum of (len + 1) of the parts before it
    return (
        array("I", accumulate((len(p) + 1 for p in parts[:-1]), initial=1)) if parts else array("I")
    )


def _word_suffixes(lower: bytes, mask: bytes, starts: array) -> tuple[list[bytes], array]:
    suffixes: list[bytes] = []
    owners = array("I")
    line, last = 0, len(starts) - 1
    for m in re.finditer(rb"(?<!\n)\x01+", mask):  # runs of word-start bytes inside a name
        at = m.start()
        while line < last and starts[line + 1] <= at:
            line += 1
        end = lower.find(b"\n", at)
        for pos in range(at, m.end()):
            if not 0x80 <= lower[pos] < 0xC0:  # not inside a UTF-8 character
                suffixes.append(lower[pos:end])
                owners.append(line)
    return suffixes, owners
