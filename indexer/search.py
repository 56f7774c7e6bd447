"""Fuzzy symbol search over the distinct defined names, kept in a file read through a memory map.

The names, lowercased (UTF-8, ASCII case folding), are joined into one newline-separated byte
string, shortest first; beside it sit the names' initials in the same shape (`getUserById` and
`get_user_by_id` both give `gubi`), a bit per byte marking inner word starts (the `U`, `B` and
`I` of `getUserById`), the name ids, and offset arrays. Each ranking tier is then one `find` or
regular-expression pass in C over those bytes, and a tier is only computed when the better
tiers have not filled the limit. `SearchIndex.write_file` lays it all out in one file, chunk by
chunk; `SearchIndex.open` maps it, so a server answers at once and the operating system pages
in only what queries touch. Nothing is loaded per name at start, and the original spelling of
a name is looked up (`original`) only for the names a query returns. On a large index, block
maps (`indexer.search_blocks`) tell each `find` pass which blocks of names can hold the query,
so a rare name is found without reading every name.

Tiers, best first: exact (same case first), prefix (same case first), word-start substring,
initials prefix, substring, then in-order subsequence from a word start. Within a tier, shorter
names come first.
"""

from __future__ import annotations

import json
import mmap
import os
import re
import shutil
import tempfile
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import IO, Any

from indexer.search_blocks import BLOCK_LINES, BlockMap
from indexer.search_narrow import Narrowing
from indexer.search_sections import (
    ARRAYS,
    FUZZY_SCAN_BYTES,
    MAP_SECTIONS,
    MAPS,
    TEXTS,
    Built,
    SectionBuilder,
    build_sections,
)

FUZZY_TIER = 4  # the index of the first subsequence tier in `_tiers`
FUZZY_BELOW = 20  # run it only when the other tiers found fewer names than this
FUZZY_MAX_QUERY = 10  # and only for queries short enough to be abbreviations
SCAN_LIMIT = 50_000  # occurrences a word-start tier checks before giving up
PREFIX_WALK = 64  # occurrences of a query checked for a line start before a pass for one
REPLAYED = 1_024  # occurrences of a query the tiers without block maps share (`_Replay`)
_INNER_START = re.compile(rb"[A-Za-z0-9\x80-\xff]")
RankKey = tuple[int, bool, int, bool]  # (tier, not exact, length, other case): lower is better
MAGIC = b"LSPAGSX5"
Originals = Callable[[Sequence[int]], dict[int, str]]  # name ids -> names as spelled


@dataclass(frozen=True, slots=True)
class Text:
    """A section of a bytes object or of a mapped file, searched in place."""

    buf: Any  # bytes or mmap.mmap: both have find() and work with `re`
    start: int
    size: int

    @classmethod
    def of(cls, data: bytes) -> Text:
        return cls(data, 0, len(data))

    def find_all(
        self,
        needle: bytes,
        blocks: BlockMap | None = None,
        starts: Any = None,
        word_start: bool = False,
        start: int = 0,
    ) -> Iterator[int]:
        """Offsets of `needle`, in order; with a block map (and the text's line starts) only
        the blocks that may hold it (at an inner word start, with `word_start`) are searched;
        without, only from `start` on."""
        buf, base = self.buf, self.start
        spans = (
            blocks.spans(needle, starts, self.size, word_start) if blocks else ((start, self.size),)
        )
        for a, b in spans:
            end = base + b
            at = buf.find(needle, base + a, end)
            while at >= 0:
                yield at - base
                at = buf.find(needle, at + 1, end)

    def match_starts(self, pattern: re.Pattern[bytes], limit: int | None = None) -> Iterator[int]:
        base, size = self.start, self.size if limit is None else min(self.size, limit)
        return (m.start() - base for m in pattern.finditer(self.buf, base, base + size))

    def slice(self, a: int, b: int) -> bytes:
        return self.buf[self.start + a : self.start + b]

    def bit(self, n: int) -> int:
        return self.buf[self.start + (n >> 3)] >> (n & 7) & 1


@dataclass(slots=True)
class SearchIndex:
    ids: Any  # name id per line (an array, or a memoryview of the file)
    lower: Text  # b"\n" + b"\n".join(lowercased names) + b"\n", shortest names first
    initials: Text  # b"\n" + b"\n".join(initials) + b"\n"
    word_starts: Text  # bit n (little-endian) set: byte n of `lower` starts an inner word
    # The first FUZZY_SCAN_BYTES (at least) of `lower`, with the ASCII letters that start an
    # inner word capitalised: the inner subsequence tier tries word starts only.
    fuzzy_marks: Text
    starts: Any  # offset of each name in `lower`
    initial_starts: Any  # offset of each name's initials in `initials`
    original: Originals  # the names as spelled, by id
    last_symbol: int = 0  # the newest symbol id whose name this index covers
    epoch: str = ""  # the database it was built from (`Store.epoch`)
    generation: int = 0
    lower_grams: BlockMap | None = None  # which blocks of names hold each trigram
    initial_grams: BlockMap | None = None  # the same over the initials
    narrowing: Narrowing = field(default_factory=Narrowing)  # recent subsequence hits
    _keep: list[Any] = field(default_factory=list)  # the mapping, alive as long as this

    @classmethod
    def build(
        cls,
        rows: Sequence[tuple[int, str]],
        generation: int = 0,
        last_symbol: int = 0,
        block_lines: int | None = None,
    ) -> SearchIndex:
        """An in-memory index of `rows` (name id, name); with `block_lines`, block maps too
        (the small in-memory indexes scan faster without)."""
        names = dict(rows)
        return cls.from_sections(
            build_sections(rows, block_lines),
            lambda ids: {i: names[i] for i in ids},
            generation,
            last_symbol,
        )

    @classmethod
    def from_sections(
        cls, built: Built, original: Originals, generation: int = 0, last_symbol: int = 0
    ) -> SearchIndex:
        """An index over what `build_sections` made (here or in another process)."""
        data, blocks, block_lines = built
        sections: dict[str, Any] = {name: Text.of(data[name]) for name in TEXTS}
        sections |= {name: array("I", data[name]) for name in ARRAYS}
        if block_lines:
            sections |= {
                m: BlockMap(
                    array("I", data[f"{m}_keys"]),
                    array("Q", data[f"{m}_ends"]),
                    data[f"{m}_data"],
                    blocks,
                    block_lines,
                )
                for m in MAPS
            }
        return cls(**sections, original=original, generation=generation, last_symbol=last_symbol)

    @staticmethod
    def write_file(
        path: str | Path,
        chunks: Iterable[list[tuple[int, str]]],
        epoch: str,
        last_symbol: int,
        block_lines: int | None = BLOCK_LINES,
    ) -> None:
        """Write the file for rows that come in chunks already in order (by length, then
        name), holding one chunk at a time: a kernel's millions of names never sit in
        memory. Atomic: a reader keeps the file it mapped."""
        directory = os.path.dirname(os.path.abspath(path))
        with ExitStack() as stack:
            sinks: dict[str, IO[bytes]] = {
                name: stack.enter_context(tempfile.TemporaryFile(dir=directory))
                for name in (*TEXTS, *ARRAYS, *MAP_SECTIONS)
            }
            builder = SectionBuilder(sinks, block_lines, in_child=True)
            stack.callback(builder.close)
            for chunk in chunks:
                builder.add(chunk)
            blocks = builder.finish()
            sections, offset = {}, 0
            for name, sink in sinks.items():
                size = sink.tell()
                sections[name] = [offset, size]
                offset += size + (-size % 8)  # arrays stay aligned
            header = json.dumps(
                {
                    "sections": sections,
                    "last_symbol": last_symbol,
                    "epoch": epoch,
                    "blocks": blocks,
                    "block_lines": block_lines,
                }
            ).encode()
            header += b" " * (-(len(header) + 16) % 8)
            tmp = f"{path}.tmp{os.getpid()}"
            with open(tmp, "wb") as out:
                out.write(MAGIC + len(header).to_bytes(8, "little") + header)
                for sink in sinks.values():
                    size = sink.tell()
                    sink.seek(0)
                    shutil.copyfileobj(sink, out, 1 << 20)
                    out.write(b"\0" * (-size % 8))
            os.replace(tmp, path)

    @classmethod
    def open(cls, path: str | Path, original: Originals) -> SearchIndex | None:
        """Map a file `write_file` made; None if there is none or it is not one."""
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
        maps: dict[str, Any] = {
            m: BlockMap(
                view[sections[f"{m}_keys"][0] : sum(sections[f"{m}_keys"])].cast("I"),
                view[sections[f"{m}_ends"][0] : sum(sections[f"{m}_ends"])].cast("Q"),
                view[sections[f"{m}_data"][0] : sum(sections[f"{m}_data"])],
                header["blocks"],
                header["block_lines"],
            )
            for m in MAPS
            if header["block_lines"]
        }
        return cls(
            **arrays,
            **texts,
            **maps,
            original=original,
            last_symbol=header["last_symbol"],
            epoch=header["epoch"],
            _keep=[mapped],
        )

    def __len__(self) -> int:
        return len(self.ids)

    def length(self, i: int) -> int:
        """Characters in name `i`."""
        start = self.starts[i]
        end = self.starts[i + 1] - 1 if i + 1 < len(self.starts) else self.lower.size - 1
        raw = self.lower.slice(start, end)
        return len(raw) if raw.isascii() else len(raw.decode("utf-8", "surrogateescape"))

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
        return [item for group in self.ranked_groups(query, limit) for item in group]

    def ranked_groups(
        self, query: str, limit: int = 100
    ) -> Iterator[list[tuple[RankKey, str, int]]]:
        """`ranked_names` lazily, one group of names with the same rank key at a time (in
        scan order): a caller that stops early computes only the tiers and looks up only the
        spellings it needed. Names are looked up in growing chunks (one statement each)."""
        query = query.strip().replace("\n", " ")
        spelled: dict[int, str] = {}
        chosen = self._chosen(query, limit, spelled)
        group: list[tuple[RankKey, str, int]] = []
        size = 8
        while chunk := list(islice(chosen, size)):
            size *= 4
            ids = self.ids
            missing = [ids[i] for i, _ in chunk if ids[i] not in spelled]
            if missing:
                spelled.update(self.original(missing))
            for i, tier in chunk:
                item = self._key(query, i, tier, spelled[ids[i]])
                if group and item[0] != group[-1][0]:
                    yield group
                    group = []
                group.append(item)
        if group:
            yield group

    def _chosen(self, query: str, limit: int, spelled: dict[int, str]) -> Iterator[tuple[int, int]]:
        """(name index, tier) in scan order, each name once, at most `limit`."""
        if not query:
            yield from ((i, 0) for i in range(min(limit, len(self))))
            return
        chosen: set[int] = set()
        for rank, tier in enumerate(self._tiers(query, spelled, limit)):
            if rank >= FUZZY_TIER and (len(chosen) >= FUZZY_BELOW or len(query) > FUZZY_MAX_QUERY):
                return  # enough plain matches, or a query too long to be an abbreviation
            for i in tier:
                if i in chosen:
                    continue
                chosen.add(i)
                yield i, rank
                if len(chosen) >= limit:
                    return

    def _key(self, query: str, i: int, tier: int, name: str) -> tuple[RankKey, str, int]:
        # The order `_tiers` yields: by tier, shorter names first; in the prefix tier exact
        # names first, and the same case first among names of one length.
        key: RankKey = (tier, False, len(name), False)
        if query and not tier:
            key = (0, len(name) != len(query), len(name), not name.startswith(query))
        return key, name, self.ids[i]

    def _tiers(self, query: str, spelled: dict[int, str], limit: int) -> Iterator[Iterator[int]]:
        q = query.encode("utf-8", "surrogateescape").lower()
        starts, lower = self.starts, self.lower
        inner_ok = _INNER_START.match(q) is not None  # `_`, `.`... never start an inner word
        lines: list[int] | None = None
        if self.lower_grams is None:
            # No block map: the word-start and substring tiers scan the whole text for the
            # same needle, so they share one pass, and so does the prefix tier while the
            # query is rare (a typo, found nowhere, then costs one pass instead of three).
            # A query extending a recent one looks in the lines that one was found in only.
            lines = self.narrowing.lines("substring", q)
            if lines is None:
                found: Iterable[int] = _Replay(lambda start: lower.find_all(q, start=start))
            else:
                found = _Replay(lambda start: self._finds_in_lines(q, lines, start))
            yield self._prefix_tier(query, q, spelled, limit, self._line_starts_of(q, found, lines))
            at_starts: Iterable[int] = found
        else:
            yield self._prefix_tier(query, q, spelled, limit)
            at_starts = lower.find_all(q, self.lower_grams, starts, word_start=True)
            found = self._find(q)
        yield self._inner_starts(iter(at_starts)) if inner_ok else iter(())
        initials = self.initials.find_all(b"\n" + q, self.initial_grams, self.initial_starts)
        yield (_line(p + 1, self.initial_starts) for p in initials)
        yield self._substrings(q, found, keep=self.lower_grams is None)
        # In-order subsequence starting at a word start: of the name (after its newline), or
        # of an inner word. Each a generator, so its pattern is compiled only if the tier is
        # read (most queries fill the limit, or FUZZY_BELOW, before).
        yield self._whole_subsequences(query)
        if inner_ok:
            yield self._inner_subsequences(query, q)

    def _whole_subsequences(self, query: str) -> Iterator[int]:
        # Possessive runs that stop at the next wanted character keep each attempt linear;
        # the leading literal is what the engine scans for.
        lowered = query.lower()
        first, rest = _subsequence(lowered)
        whole = re.compile(b"\n" + first + rest)
        # Both subsequence tiers scan the shortest FUZZY_SCAN_BYTES of names only: on a
        # monorepo's millions of names a subsequence pattern costs seconds, and the last tier
        # is not worth that.
        lines = self.narrowing.lines("whole", lowered)
        if lines is None:
            positions = self.lower.match_starts(whole, FUZZY_SCAN_BYTES)
        else:  # a match's newline is the one before its line
            positions = self._starts_in_lines(self.lower, whole, lines, -1)
        found: list[int] = []
        for p in positions:
            found.append(_line(p + 1, self.starts))
            yield found[-1]
        self.narrowing.keep("whole", lowered, found)

    def _inner_subsequences(self, query: str, q: bytes) -> Iterator[int]:
        lower, c, marks, lowered = self.lower, q[:1], self.fuzzy_marks, query.lower()
        if c.isalpha() and marks.size >= min(lower.size, FUZZY_SCAN_BYTES):
            # Tried at the capitalised word starts only; the rest in either case, as classes
            # of both cases: they compile 0.1-0.2 ms slower than a scoped `(?i:...)` but
            # scan twice as fast (2-2.5 ms less over a standard library's names).
            _, rest = _subsequence(lowered, both_cases=True)
            pattern, text, tier = re.compile(c.upper() + b"(?=" + rest + b")"), marks, "marks"
        else:
            # The first character only is consumed, the rest is a lookahead, so every
            # candidate start is tried.
            first, rest = _subsequence(lowered)
            pattern, text, tier = re.compile(first + b"(?=" + rest + b")"), lower, "inner"
        lines = self.narrowing.lines(tier, lowered)
        if lines is None:
            positions = text.match_starts(pattern, FUZZY_SCAN_BYTES)
        else:
            positions = self._starts_in_lines(text, pattern, lines)
        found: list[int] = []  # the lines of every match, word start or not
        starts, tried = self.starts, 0

        def noted() -> Iterator[int]:
            nonlocal tried
            for p in positions:
                tried += 1
                line = _line(p, starts)
                if not found or found[-1] != line:
                    found.append(line)
                yield p

        yield from self._inner_starts(noted())
        if tried <= SCAN_LIMIT:  # not cut short: every match was seen
            self.narrowing.keep(tier, lowered, found)

    def _starts_in_lines(
        self, text: Text, pattern: re.Pattern[bytes], lines: list[int], before: int = 0
    ) -> Iterator[int]:
        """`text.match_starts(pattern, FUZZY_SCAN_BYTES)`, tried on `lines` only (in order):
        the subsequence patterns never match across a newline. `before`: bytes a match takes
        before its line (the newline of a whole-name match)."""
        starts, count, buf, base = self.starts, len(self.starts), text.buf, text.start
        limit = min(text.size, FUZZY_SCAN_BYTES)
        for i in lines:
            end = starts[i + 1] - 1 if i + 1 < count else self.lower.size - 1
            for m in pattern.finditer(buf, base + starts[i] + before, base + min(end, limit)):
                yield m.start() - base

    def _find(self, needle: bytes) -> Iterator[int]:
        return self.lower.find_all(needle, self.lower_grams, self.starts)

    def _inner_starts(self, positions: Iterator[int]) -> Iterator[int]:
        """The names of the positions that start an inner word. A common fragment that
        rarely starts a word (`ffer`) is looked at SCAN_LIMIT times at most."""
        bit, starts = self.word_starts.bit, self.starts
        for n, p in enumerate(positions):
            if n >= SCAN_LIMIT:
                return
            if bit(p):
                yield _line(p, starts)

    def _line_starts_of(
        self, q: bytes, found: Iterable[int], lines: list[int] | None = None
    ) -> Iterator[int]:
        """Where `b"\n" + q` is in the text, from `found`, where `q` is (the substring tiers'
        shared pass): its first PREFIX_WALK hits are looked at one by one (a rare query, or a
        typo, is found nowhere else), then a pass for `b"\n" + q` goes on from the last (over
        `lines` only, when given: the only lines holding `q`)."""
        lower, last = self.lower, 0
        for n, p in enumerate(found):
            if n == PREFIX_WALK:
                if lines is None:
                    yield from lower.find_all(b"\n" + q, start=last)
                    return
                starts, size = self.starts, len(q)
                for i in lines:
                    at = starts[i]
                    if at > last and lower.slice(at, at + size) == q:
                        yield at - 1
                return
            if lower.slice(p - 1, p) == b"\n":
                yield p - 1
            last = p

    def _finds_in_lines(self, q: bytes, lines: list[int], start: int) -> Iterator[int]:
        """`self.lower.find_all(q, start=start)`, looking in `lines` only (in order): a query
        never spans a newline."""
        buf, base, starts, count = self.lower.buf, self.lower.start, self.starts, len(self.starts)
        for i in lines:
            end = base + (starts[i + 1] - 1 if i + 1 < count else self.lower.size - 1)
            at = buf.find(q, base + max(starts[i], start), end)
            while at >= 0:
                yield at - base
                at = buf.find(q, at + 1, end)

    def _substrings(self, q: bytes, found: Iterable[int], keep: bool) -> Iterator[int]:
        """The substring tier: the line of each place `q` is, in order. When it runs to its
        end, every line holding `q` was seen: with `keep`, they narrow the queries that extend
        this one (`indexer.search_narrow`)."""
        starts = self.starts
        lines: list[int] = []
        for p in found:
            line = _line(p, starts)
            if not lines or lines[-1] != line:
                lines.append(line)
            yield line
        if keep:
            self.narrowing.keep("substring", q, lines)

    def _prefix_tier(
        self,
        query: str,
        q: bytes,
        spelled: dict[int, str],
        limit: int,
        found: Iterable[int] | None = None,
    ) -> Iterator[int]:
        """Names starting with the query, shortest first (as scanned), the same case first
        among names of one length; lazily, whole lengths at a time, so the order does not
        depend on how far the caller reads. Spellings are looked up (into `spelled`) for
        growing chunks of hits, not one length at a time, and no chunk is bigger than what
        the caller still wants (`limit` in all) needs."""
        hits: list[tuple[int, int]] = []  # (length, name index) of the chunk being read
        size, given = 8, 0
        if found is None:
            found = self._find(b"\n" + q)
        for p in found:
            i = _line(p + 1, self.starts)
            length = self.length(i)
            if len(hits) >= size and length != hits[-1][0]:
                yield from self._by_case(query, hits, spelled)
                given += len(hits)
                hits, size = [], max(min(size * 4, limit - given), 1)
            hits.append((length, i))
        yield from self._by_case(query, hits, spelled)

    def _by_case(
        self, query: str, hits: list[tuple[int, int]], spelled: dict[int, str]
    ) -> list[int]:
        ids = self.ids
        missing = [ids[i] for _, i in hits if ids[i] not in spelled]
        if missing:
            spelled.update(self.original(missing))
        ordered = sorted(hits, key=lambda h: (h[0], not spelled[ids[h[1]]].startswith(query)))
        return [i for _, i in ordered]


def _subsequence(query: str, both_cases: bool = False) -> tuple[bytes, bytes]:
    """The first character, and the rest as possessive runs (`[^\\nc]*+c` per character;
    `[^\\ncC]*+[cC]` for an ASCII letter, with `both_cases`)."""
    parts = []
    for char in query[1:]:
        raw = re.escape(char.encode("utf-8", "surrogateescape"))
        if both_cases and char.isascii() and char.isalpha():
            pair = char.lower().encode() + char.upper().encode()
            parts.append(b"[^\n" + pair + b"]*+[" + pair + b"]")
        elif len(char.encode("utf-8", "surrogateescape")) == 1:
            parts.append(b"[^\n" + raw + b"]*+" + raw)
        else:  # a multi-byte character: no single-byte class to stop at
            parts.append(b"[^\n]*?" + raw)
    return re.escape(query[:1].encode("utf-8", "surrogateescape")), b"".join(parts)


class _Replay:
    """Where a needle is in a text, found once for several iterations: the first REPLAYED
    offsets are kept and replayed to every iteration; past them, each iteration goes on with a
    pass of its own (keeping every offset of a common fragment cost more than a second pass)."""

    def __init__(self, find: Callable[[int], Iterator[int]]) -> None:
        self.find = find  # offsets from a start offset on, in order
        self.items = find(0)
        self.seen: list[int] = []
        self.done = False

    def __iter__(self) -> Iterator[int]:
        seen, n = self.seen, 0
        while True:
            if n < len(seen):
                yield seen[n]
                n += 1
            elif self.done:
                return
            elif n >= REPLAYED:
                yield from self.find(seen[-1] + 1)
                return
            else:
                item = next(self.items, None)
                if item is None:
                    self.done = True
                    return
                seen.append(item)


def _line(pos: int, starts: Sequence[int]) -> int:
    return bisect_right(starts, pos) - 1


def sorted_names(
    groups: Iterator[list[tuple[RankKey, str, int]]],
) -> Iterator[tuple[RankKey, str, int]]:
    for group in groups:  # one rank key each: in scan order, which is by lowercase name
        yield from sorted(group)


def distinct_names(items: Iterator[tuple[RankKey, str, int]]) -> Iterator[tuple[RankKey, int]]:
    """(key, name id), each name once (a name in the file and in the in-memory part)."""
    seen: set[int] = set()
    for key, _, name_id in items:
        if name_id not in seen:
            seen.add(name_id)
            yield key, name_id
