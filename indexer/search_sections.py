"""The search file's sections (`indexer.search`) and how they are made from names in order.

`SectionBuilder` appends each chunk of names (shortest first) to the sections: the lowercase
text, the initials, the inner word starts (a bit per byte), the capitalised text the fuzzy tier
scans, the name ids and line offsets, and the block maps (`indexer.search_blocks`). The file
build (`SearchIndex.write_file`) makes the lowercase names' map in a child process
(`indexer.block_map_process`); `build_sections` makes an in-memory index's sections.
"""

from __future__ import annotations

import io
from array import array
from collections.abc import Callable, Sequence
from itertools import accumulate
from operator import itemgetter
from typing import IO

from indexer.block_map_process import BlockMapProcess, block_map_builder
from indexer.search_blocks import capitalise


# Which bytes start a word (`word_start_marks`): an ASCII letter or digit, a newline or a
# non-ASCII byte (non-ASCII characters are letters), except a lowercase letter or digit after
# an ASCII letter or digit, and a capital inside a run of capitals that is not followed by
# lowercase (the `S` of `HTTPServer` starts a word, the `T`s do not). Each class is a table
# giving 1 for its bytes and 0 for the others: `translate` then makes a mask of the text.
def _table(test: Callable[[int], bool]) -> bytes:
    return bytes(1 if test(b) else 0 for b in range(256))


_ALNUM = _table(lambda b: chr(b).isascii() and chr(b).isalnum())
_LOWER_OR_DIGIT = _table(lambda b: 97 <= b <= 122 or 48 <= b <= 57)
_UPPER = _table(lambda b: 65 <= b <= 90)
_LOWER = _table(lambda b: 97 <= b <= 122)
_CANDIDATE = _table(lambda b: (chr(b).isascii() and chr(b).isalnum()) or b == 10 or b >= 0x80)
_NEWLINE = _table(lambda b: b == 10)
# b"1" for a byte that may start an inner word, once line starts are blanked out; b"0" for
# blanked bytes, newlines and UTF-8 continuation bytes.
_BITS = bytes.maketrans(
    bytes(range(256)),
    bytes(ord("0") if b in (0, 10) or 0x80 <= b < 0xC0 else ord("1") for b in range(256)),
)
FUZZY_SCAN_BYTES = 4 << 20  # the fuzzy tier scans the shortest names only (kernel: 416k of 3.3M)
BUILD_CHUNK = 1_000  # names per pass when building in memory
ARRAYS = ("ids", "starts", "initial_starts")
TEXTS = ("lower", "initials", "word_starts", "fuzzy_marks")
MAPS = ("lower_grams", "initial_grams")  # `indexer.search_blocks`: keys, ends, data each
MAP_PARTS = ("keys", "ends", "data")
MAP_SECTIONS = tuple(f"{m}_{part}" for m in MAPS for part in MAP_PARTS)
Built = tuple[dict[str, bytes], int, int | None]  # sections, blocks, names per block


def build_sections(rows: Sequence[tuple[int, str]], block_lines: int | None = None) -> Built:
    """The sections of an in-memory index of `rows` (name id, name): plain bytes, so another
    process can build them."""
    # Shortest names first: every tier's hits then come out already ranked, so a tier
    # stops scanning as soon as it has `limit` hits.
    sinks = {name: io.BytesIO() for name in (*TEXTS, *ARRAYS, *MAP_SECTIONS)}
    builder = SectionBuilder(dict(sinks), block_lines)
    ordered = sorted(rows, key=lambda r: (len(r[1]), r[1]))
    # In chunks: each regular-expression pass holds the GIL until it returns.
    for at in range(0, len(ordered), BUILD_CHUNK):
        builder.add(ordered[at : at + BUILD_CHUNK])
    blocks = builder.finish()
    return {name: sink.getvalue() for name, sink in sinks.items()}, blocks, block_lines


class SectionBuilder:
    """Appends names (in final order, chunk by chunk) to the sections' sinks."""

    def __init__(
        self, sinks: dict[str, IO[bytes]], block_lines: int | None = None, in_child: bool = False
    ) -> None:
        """`in_child`: build the lowercase names' map in a child process (`block_map_process`)."""
        self.sinks = sinks
        self.maps = {
            m: block_map_builder(block_lines, in_child and m == "lower_grams") for m in MAPS
        } if block_lines else {}  # fmt: skip
        for name in ("lower", "initials", "fuzzy_marks"):
            sinks[name].write(b"\n")  # so that b"\n" + query finds a prefix
        self.lines = 0
        self.at = {
            "lower": 1,
            "initials": 1,
            "fuzzy_marks": 1,
        }  # where each text's next line starts
        self.bits = b"0"  # word-start flags (b"0"/b"1") not yet packed: the leading newline

    def add(self, rows: Sequence[tuple[int, str]]) -> None:
        if not rows:
            return
        text = "\n".join(map(itemgetter(1), rows))
        if text.count("\n") != len(rows) - 1:  # a name with a newline: a space in its line
            text = "\n".join(name.replace("\n", " ") for _, name in rows)
        # Encoded once, cut once: an encode per name took a tenth of the file's build.
        joined = text.encode("utf-8", "surrogateescape") + b"\n"
        names = joined[:-1].split(b"\n")
        marked, inner = word_start_marks(b"\n" + joined)  # a line start before the first
        initials = marked[1:].translate(None, b"\x00").lower()
        lower = joined.lower()
        initial_lines = initials[:-1].split(b"\n")
        inner = inner[1:]
        if self.maps:
            self.maps["lower_grams"].add_text(lower[:-1], inner[:-1])
            self.maps["initial_grams"].add(initial_lines)
        self._pack(inner.translate(_BITS))
        if self.at["fuzzy_marks"] < FUZZY_SCAN_BYTES:
            marked = capitalise(lower, inner)
            self.sinks["fuzzy_marks"].write(marked)
            self.at["fuzzy_marks"] += len(marked)
        arrays = {
            "ids": array("I", map(itemgetter(0), rows)),
            "starts": _line_starts(names, self.at["lower"]),
            "initial_starts": _line_starts(initial_lines, self.at["initials"]),
        }
        for name, section in (("lower", lower), ("initials", initials)):
            self.sinks[name].write(section)
            self.at[name] += len(section)
        for name, values in arrays.items():
            self.sinks[name].write(values.tobytes())
        self.lines += len(names)

    def _pack(self, flags: bytes) -> None:
        # int() reads base 2 most significant digit first: reversed, flag n becomes bit n.
        pending = self.bits + flags
        whole = len(pending) // 8 * 8
        if whole:
            packed = int(pending[:whole][::-1], 2).to_bytes(whole // 8, "little")
            self.sinks["word_starts"].write(packed)
        self.bits = pending[whole:]

    def finish(self) -> int:
        """Flush what is pending; the number of blocks of the block maps."""
        pending, self.bits = self.bits, b""
        self._pack(pending + b"0" * (-len(pending) % 8))
        blocks = 0
        for name, builder in self.maps.items():
            builder.finish(*(self.sinks[f"{name}_{part}"] for part in MAP_PARTS))
            blocks = builder.blocks
        return blocks

    def close(self) -> None:
        for builder in self.maps.values():
            if isinstance(builder, BlockMapProcess):
                builder.close()


def word_start_marks(text: bytes) -> tuple[bytes, bytes]:
    """`text` (names, each after a newline) with every byte that does not start a word turned
    to NUL; and the same with each name's first byte also turned to NUL (inner word starts).

    Computed on whole masks at once, as big integers (one byte per text byte, 1 or 0): the
    previous byte's class is the mask shifted right by 8 bits, the next one's shifted left. A
    regular expression with lookbehinds, substituting about four bytes in five, took half of
    the search file's build outside its block maps."""
    size = len(text)
    ones = int.from_bytes(b"\x01" * size, "big")
    full = ones * 0xFF

    def mask(table: bytes) -> int:
        return int.from_bytes(text.translate(table), "big")

    upper = mask(_UPPER)
    next_lower = (mask(_LOWER) << 8) & full
    after_alnum = (mask(_ALNUM) >> 8) & mask(_LOWER_OR_DIGIT)
    in_capitals = (upper >> 8) & upper & (ones ^ next_lower)
    starts = mask(_CANDIDATE) & (ones ^ (after_alnum | in_capitals))
    newline = mask(_NEWLINE)
    line_start = (newline >> 8) & (ones ^ newline)
    value = int.from_bytes(text, "big")
    marked = value & (starts * 0xFF)
    inner = marked & ((ones ^ line_start) * 0xFF)
    return marked.to_bytes(size, "big"), inner.to_bytes(size, "big")


def _line_starts(parts: Sequence[bytes], first: int = 1) -> array:
    # offset of part k = `first` + sum of (len + 1) of the parts before it
    return (
        array("I", accumulate(map((1).__add__, map(len, parts[:-1])), initial=first))
        if parts
        else array("I")
    )
