"""Which blocks of names can hold a query: a trigram-to-blocks map beside the search file.

The names of the search file (`indexer.search`) are cut into blocks of `lines` names each. For
every trigram (three bytes, the newline before a name included) the map keeps a bitmap of the
blocks whose text holds it. A needle of three bytes or more can only occur in a block holding
every one of its trigrams, so a tier's `find` pass visits those blocks, in order, and skips the
rest: on a monorepo's millions of names a rare name is found in a few blocks instead of a scan
of the whole text, while the hits come out in exactly the order of the full scan.

Layout in the file: `gram_keys`, the sorted trigrams as big-endian integers (`I`), and
`gram_bits`, one bitmap of `(blocks + 7) // 8` bytes per key, bit b (little-endian) for block b.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

BLOCK_LINES = 1024  # names per block: smaller is more selective, and a bigger map
_TRIGRAMS = re.compile(rb"(?=(...))", re.DOTALL)


def trigram_codes(data: bytes) -> set[int]:
    """The distinct trigrams of `data`, as big-endian integers."""
    return {int.from_bytes(g, "big") for g in set(_TRIGRAMS.findall(data))}


@dataclass(frozen=True, slots=True)
class BlockMap:
    keys: Any  # sorted trigram codes (an array or a memoryview cast to "I")
    bits: Any  # bytes-like: one bitmap of `width` bytes per key
    blocks: int
    lines: int  # names per block

    @property
    def width(self) -> int:
        return (self.blocks + 7) // 8

    def mask(self, needle: bytes) -> int | None:
        """A bitmask of the blocks that may hold `needle`; None when it is too short to say
        (every block may)."""
        if len(needle) < 3:
            return None
        keys, width = self.keys, self.width
        mask = -1
        for code in sorted(
            {int.from_bytes(needle[i : i + 3], "big") for i in range(len(needle) - 2)}
        ):
            at = bisect_left(keys, code)
            if at == len(keys) or keys[at] != code:
                return 0
            mask &= int.from_bytes(self.bits[at * width : (at + 1) * width], "little")
            if not mask:
                return 0
        return mask

    def spans(self, needle: bytes, starts: Sequence[int], size: int) -> Iterator[tuple[int, int]]:
        """Byte ranges of the text (whose lines start at `starts`, `size` bytes in all) to
        search for `needle`, in text order. A range runs from the newline before a block's
        first name to the newline after its last, so a match is in exactly one range."""
        mask = self.mask(needle)
        if mask is None:
            yield 0, size
            return
        lines, count = self.lines, len(starts)
        while mask:
            low = mask & -mask
            block = low.bit_length() - 1
            mask ^= low
            first, end = block * lines, (block + 1) * lines
            yield starts[first] - 1, starts[end] if end < count else size


class BlockMapBuilder:
    """Collects the trigrams of each block of lines as the names come, in order."""

    def __init__(self, lines: int = BLOCK_LINES) -> None:
        self.lines = lines
        self.postings: dict[int, array] = {}
        self.blocks = 0
        self.pending: list[bytes] = []  # the lines of the block being filled

    def add(self, lines: Sequence[bytes]) -> None:
        at = 0
        while at < len(lines):
            take = self.lines - len(self.pending)
            self.pending += lines[at : at + take]
            at += take
            if len(self.pending) == self.lines:
                self._close_block()

    def _close_block(self) -> None:
        text = b"\n" + b"\n".join(self.pending) + b"\n"
        block, postings = self.blocks, self.postings
        for code in trigram_codes(text):
            found = postings.get(code)
            if found is None:
                found = postings[code] = array("I")
            found.append(block)
        self.blocks += 1
        self.pending = []

    def finish(self, keys_out: IO[bytes], bits_out: IO[bytes]) -> None:
        if self.pending:
            self._close_block()
        width = (self.blocks + 7) // 8
        keys = sorted(self.postings)
        keys_out.write(array("I", keys).tobytes())
        for code in keys:
            bitmap = bytearray(width)
            for block in self.postings[code]:
                bitmap[block >> 3] |= 1 << (block & 7)
            bits_out.write(bitmap)
        self.postings = {}
