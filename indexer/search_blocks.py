"""Which blocks of names can hold a query: a trigram-to-blocks map beside the search file.

The names of the search file (`indexer.search`) are cut into blocks of `lines` names each. For
every trigram (three bytes, the newline before a name included) the map keeps a bitmap of the
blocks whose text holds it. A needle of three bytes or more can only occur in a block holding
every one of its trigrams, so a tier's `find` pass visits those blocks, in order, and skips the
rest: on a monorepo's millions of names a rare name is found in a few blocks instead of a scan
of the whole text, while the hits come out in exactly the order of the full scan.

Layout in the file: `keys`, the sorted trigrams as big-endian integers (`I`); `ends`, where
each key's entry in `data` ends (`Q`); and `data`, per key either a bitmap of `width` =
`(blocks + 7) // 8` bytes (bit b, little-endian, for block b) or, when shorter, the list of its
blocks (`I`): a rare trigram costs four bytes per block it is in, not a bitmap of all blocks.
"""

from __future__ import annotations

import re
import sys
from array import array
from bisect import bisect_left
from collections import defaultdict, deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import compress, repeat
from typing import IO, Any

BLOCK_LINES = 256  # names per block: smaller is more selective, and a bigger map
# Below this many symbols a full scan is fast (the stdlib's 86,000 symbols: a few ms) and
# the maps are not worth their build time.
MAP_MIN_SYMBOLS = 200_000
# Flags a trigram that starts an inner word (a separate key: `fragment` in `getFragmentOf`).
WORD_START = 1 << 24
# A marked byte whose trigram is a word-start key: an ASCII letter or digit, or a non-ASCII
# character's lead byte (not a continuation byte, nor `_` or `$`).
# (As selectors for `itertools.compress`: 1 for such a byte, 0 for any other.)
_WORD_START_BYTE = bytes(
    1 if (chr(b).isascii() and chr(b).isalnum()) or b >= 0xC0 else 0 for b in range(256)
)
# 0x20 for an ASCII letter, 0 for any other byte: subtracted from the lowercase text at word
# starts, it capitalises them; no byte borrows, as a-z are all above 0x20.
CAPITAL_DELTA = bytes.maketrans(
    bytes(range(256)), bytes(0x20 if 65 <= b <= 90 or 97 <= b <= 122 else 0 for b in range(256))
)


def capitalise(lower: bytes, marks: bytes) -> bytes:
    """`lower` with the ASCII letters that `marks` (same length, NUL elsewhere) marks as
    word starts in upper case."""
    delta = int.from_bytes(marks.translate(CAPITAL_DELTA), "big")
    return (int.from_bytes(lower, "big") - delta).to_bytes(len(lower), "big")


@dataclass(frozen=True, slots=True)
class BlockMap:
    keys: Any  # sorted trigram codes (an array or a memoryview cast to "I")
    ends: Any  # where each key's entry ends in `data` (an array or a memoryview cast to "Q")
    data: Any  # bytes-like: the entries, a bitmap or a block list each
    blocks: int
    lines: int  # names per block

    @property
    def width(self) -> int:
        return (self.blocks + 7) // 8

    def mask(self, needle: bytes, word_start: bool = False) -> int | None:
        """A bitmask of the blocks that may hold `needle` (`word_start`: at an inner word
        start); None when it is too short to say (every block may)."""
        if len(needle) < 3:
            return None
        keys, width = self.keys, self.width
        mask = -1
        codes = {int.from_bytes(needle[i : i + 3], "big") for i in range(len(needle) - 2)}
        if word_start:
            codes.add(int.from_bytes(needle[:3], "big") | WORD_START)
        for code in sorted(codes):
            at = bisect_left(keys, code)
            if at == len(keys) or keys[at] != code:
                return 0
            mask &= self._entry(at, width)
            if not mask:
                return 0
        return mask

    def _entry(self, at: int, width: int) -> int:
        start = self.ends[at - 1] if at else 0
        entry = self.data[start : self.ends[at]]
        if len(entry) == width:
            return int.from_bytes(entry, "little")
        blocks = array("I")
        blocks.frombytes(entry)
        bitmap = bytearray(width)
        for block in blocks:
            bitmap[block >> 3] |= 1 << (block & 7)
        return int.from_bytes(bitmap, "little")

    def spans(
        self, needle: bytes, starts: Sequence[int], size: int, word_start: bool = False
    ) -> Iterator[tuple[int, int]]:
        """Byte ranges of the text (whose lines start at `starts`, `size` bytes in all) to
        search for `needle`, in text order. A range runs from the newline before a block's
        first name to the newline after its last, so a match is in exactly one range."""
        mask = self.mask(needle, word_start)
        if mask is None:
            yield 0, size
            return
        lines, count = self.lines, len(starts)
        # Runs of neighbouring blocks are one range: a common fragment's blocks sit together
        # (names sorted by length, then name), and one `find` per block was most of a short
        # query's time over the kernel's 13,000 blocks. Same hits, in the same order.
        for first, last in block_runs(mask, self.width):
            end = (last + 1) * lines
            yield starts[first * lines] - 1, starts[end] if end < count else size


# The bits set in each byte value, lowest first.
_BITS = tuple(tuple(k for k in range(8) if b >> k & 1) for b in range(256))
_NONZERO = re.compile(rb"[^\x00]+")


def block_runs(mask: int, width: int) -> Iterator[tuple[int, int]]:
    """(first, last) of each run of consecutive set bits in `mask`, in order. The mask is read
    a byte at a time (shifting a bitmap of thousands of blocks once per block cost more)."""
    bits = mask.to_bytes(width, "little")
    start = last = -2
    for found in _NONZERO.finditer(bits):
        for at in range(found.start(), found.end()):
            for k in _BITS[bits[at]]:
                block = at * 8 + k
                if block != last + 1:
                    if start >= 0:
                        yield start, last
                    start = block
                last = block
    if start >= 0:
        yield start, last


def trigram_codes(text: bytes) -> array:
    """The code of every trigram of `text` (`int.from_bytes(text[i:i+3], "big")` at i), made in
    C: each byte column of 4-byte words is one extended-slice assignment. Cutting a bytes
    slice per position and hashing it cost most of the file's build on millions of names."""
    n = len(text) - 2
    codes = array("I")
    if n <= 0:
        return codes
    words = bytearray(4 * n)
    words[2::4] = text[:n]  # little-endian words: byte 2 is the most significant of the three
    words[1::4] = text[1 : n + 1]
    words[0::4] = text[2:]
    codes.frombytes(words)
    if sys.byteorder == "big":
        codes.byteswap()
    return codes


def _bitmap(blocks: array, width: int) -> bytes:
    """Bit b (little-endian) set for each block b: one b"1" per block, packed by `int()`."""
    flags = bytearray(b"0" * (width * 8))
    deque(map(flags.__setitem__, blocks, repeat(49)), 0)  # 49: b"1"
    return int(flags[::-1], 2).to_bytes(width, "little")


class BlockMapBuilder:
    """Collects the trigrams of each block of lines as the names come, in order."""

    def __init__(self, lines: int = BLOCK_LINES) -> None:
        self.lines = lines
        # trigram code (| WORD_START at an inner word start) -> the blocks holding it
        # Block numbers as 16-bit ints while they fit (the kernel's 12,813 blocks): these lists
        # are most of the build's memory (25 million entries there), and half of it this way.
        self.postings: defaultdict[int, array] = defaultdict(partial(array, "H"))
        self.blocks = 0
        self.pending: list[bytes] = []  # the lines of the block being filled
        self._marks: list[bytes] = []  # the same lines with all but inner word starts blanked

    def add_text(self, text: bytes, marks: bytes | None = None) -> None:
        """`add` for lines (and marks) joined by newlines."""
        self.add(text.split(b"\n"), marks.split(b"\n") if marks is not None else ())

    def add(self, lines: Sequence[bytes], marks: Sequence[bytes] = ()) -> None:
        """Add lines; with `marks` (each line with every byte but those starting an inner
        word turned to NUL), also their word-start trigrams."""
        at = 0
        while at < len(lines):
            take = self.lines - len(self.pending)
            self.pending += lines[at : at + take]
            self._marks += marks[at : at + take]
            at += take
            if len(self.pending) == self.lines:
                self._close_block()

    def _close_block(self) -> None:
        text = b"\n" + b"\n".join(self.pending) + b"\n"
        codes = trigram_codes(text)
        keys = set(codes)
        if self._marks:
            # The trigrams starting at an inner word start (an ASCII letter or digit, or the
            # lead byte of a non-ASCII character: what the search's capitalised text shows).
            marks = b"\n" + b"\n".join(self._marks) + b"\n"
            starts = set(compress(codes, marks.translate(_WORD_START_BYTE)))
            keys.update(map(WORD_START.__or__, starts))
        # The block joins every key's posting list in one pass in C (a dict lookup and
        # array.append through map): one Python iteration per key and block cost more than
        # anything else in the build.
        if self.blocks == 0x10000:  # past 16.7 million names: 32-bit block numbers from now on
            self.postings.default_factory = partial(array, "I")
            for code, blocks in self.postings.items():
                self.postings[code] = array("I", blocks)
        deque(map(array.append, map(self.postings.__getitem__, keys), repeat(self.blocks)), 0)
        self.blocks += 1
        self.pending, self._marks = [], []

    def finish(self, keys_out: IO[bytes], ends_out: IO[bytes], data_out: IO[bytes]) -> None:
        if self.pending:
            self._close_block()
        width = (self.blocks + 7) // 8
        keys = sorted(self.postings)
        keys_out.write(array("I", keys).tobytes())
        ends, end = array("Q"), 0
        for code in keys:
            blocks = self.postings[code]
            if 4 * len(blocks) < width:
                entry = (blocks if blocks.typecode == "I" else array("I", blocks)).tobytes()
            else:
                entry = _bitmap(blocks, width)
            data_out.write(entry)
            end += len(entry)
            ends.append(end)
        ends_out.write(ends.tobytes())
        self.postings.clear()
