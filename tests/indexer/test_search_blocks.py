"""Block maps: the trigram codes made in C, the maps against a plain reference build, and the
child-process builder against the in-process one."""

from __future__ import annotations

import io
import random
import re
from array import array

from indexer.block_map_process import BlockMapProcess
from indexer.search_blocks import WORD_START, BlockMapBuilder, block_runs, trigram_codes
from indexer.search_sections import word_start_marks

ALPHABET = "abcxyzXYZ_09$\u00e9\u00df\u4e2d"


def _lines(seed: int, count: int) -> tuple[list[bytes], list[bytes]]:
    """Lowercase names, and their marks (some bytes kept as inner word starts, the rest NUL)."""
    rng = random.Random(seed)
    lines, marks = [], []
    for _ in range(count):
        name = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 12))).encode()
        lines.append(name.lower())
        marks.append(bytes(b if rng.random() < 0.3 else 0 for b in name))
    return lines, marks


def _reference(lines: list[bytes], marks: list[bytes], per_block: int) -> dict[int, list[int]]:
    """trigram code (| WORD_START) -> blocks holding it, one slice at a time."""
    out: dict[int, list[int]] = {}
    for block, at in enumerate(range(0, len(lines), per_block)):
        text = b"\n" + b"\n".join(lines[at : at + per_block]) + b"\n"
        mark = b"\n" + b"\n".join(marks[at : at + per_block]) + b"\n"
        keys = {int.from_bytes(text[i : i + 3], "big") for i in range(len(text) - 2)}
        for i in range(len(text) - 2):
            c = mark[i]
            if (chr(c).isascii() and chr(c).isalnum()) or c >= 0xC0:
                keys.add(int.from_bytes(text[i : i + 3], "big") | WORD_START)
        for key in keys:
            out.setdefault(key, []).append(block)
    return out


def _sections(builder: BlockMapBuilder | BlockMapProcess) -> list[bytes]:
    sinks = [io.BytesIO() for _ in range(3)]
    builder.finish(*sinks)
    return [sink.getvalue() for sink in sinks]


def test_trigram_codes_are_the_big_endian_value_of_every_three_bytes() -> None:
    rng = random.Random(3)
    for size in (0, 1, 2, 3, 4, 17, 1000):
        text = bytes(rng.randrange(256) for _ in range(size))
        expected = [int.from_bytes(text[i : i + 3], "big") for i in range(size - 2)]
        assert list(trigram_codes(text)) == expected


def test_the_map_holds_each_trigram_and_word_start_in_exactly_its_blocks() -> None:
    lines, marks = _lines(1, 2000)
    builder = BlockMapBuilder(16)
    builder.add(lines[:700], marks[:700])
    builder.add_text(b"\n".join(lines[700:]), b"\n".join(marks[700:]))
    keys_raw, ends_raw, data = _sections(builder)
    keys, ends = array("I"), array("Q")
    keys.frombytes(keys_raw)
    ends.frombytes(ends_raw)
    width = (builder.blocks + 7) // 8
    found: dict[int, list[int]] = {}
    for at, key in enumerate(keys):
        entry = data[ends[at - 1] if at else 0 : ends[at]]
        if len(entry) == width:
            bits = int.from_bytes(entry, "little")
            found[key] = [b for b in range(builder.blocks) if bits >> b & 1]
        else:
            blocks = array("I")
            blocks.frombytes(entry)
            found[key] = list(blocks)
    assert found == _reference(lines, marks, 16)


def test_block_numbers_past_16_bits_are_kept() -> None:
    lines = [b"ab%d" % (i % 7) for i in range(70_000)]
    builder = BlockMapBuilder(1)
    builder.add(lines)
    keys, _, data = _sections(builder)
    assert builder.blocks == 70_000
    codes = array("I")
    codes.frombytes(keys)
    bitmap = data[-((70_000 + 7) // 8) :]  # "b6\n", the largest key, in blocks 6, 13, ...
    assert codes[-1] == int.from_bytes(b"b6\n", "big")
    bits = int.from_bytes(bitmap, "little")
    assert [b for b in range(70_000) if bits >> b & 1] == list(range(6, 70_000, 7))


def test_a_child_process_builds_the_same_sections() -> None:
    lines, marks = _lines(2, 5000)
    here, child = BlockMapBuilder(32), BlockMapProcess(32)
    for builder in (here, child):
        builder.add(lines[:2500], marks[:2500])
        builder.add_text(b"\n".join(lines[2500:]), b"\n".join(marks[2500:]))
    assert _sections(child) == _sections(here)
    assert child.blocks == here.blocks
    assert not child._process.is_alive()


def test_an_abandoned_child_build_stops() -> None:
    child = BlockMapProcess(32)
    child.add(*_lines(4, 100))
    child.close()
    assert not child._process.is_alive()


# The word starts as a regular expression defined them (substituted byte by byte): the
# reference `word_start_marks` computes on whole masks.
_NOT_WORD_START = re.compile(
    rb"[^\w\n\x80-\xff]|_|(?<=[A-Za-z0-9])[a-z0-9]|(?<=[A-Z])[A-Z](?![a-z])"
)


def test_word_start_marks_match_the_regular_expression() -> None:
    rng = random.Random(5)
    pool = b"aAzZ09_$ -.\x80\xc3\xa9\xff\x00bcXYhttpHTTPServer"
    for _ in range(2000):
        names = [bytes(rng.choice(pool) for _ in range(rng.randint(0, 10))) for _ in range(9)]
        text = b"\n" + b"\n".join(names) + b"\n"
        marked = _NOT_WORD_START.sub(b"\x00", text)
        inner = re.sub(rb"\n[^\n]", b"\n\x00", marked)
        assert word_start_marks(text) == (marked, inner), text
    assert word_start_marks(b"\ngetHTTPServer2x\n") == (
        b"\ng\x00\x00H\x00\x00\x00S\x00\x00\x00\x00\x00\x00\x00\n",
        b"\n\x00\x00\x00H\x00\x00\x00S\x00\x00\x00\x00\x00\x00\x00\n",
    )


def test_block_runs_are_the_runs_of_set_bits_in_order() -> None:
    rng = random.Random(5)
    for _ in range(500):
        width = rng.randint(1, 40)
        mask = rng.getrandbits(width * 8) & rng.getrandbits(width * 8)  # some long gaps
        expected: list[list[int]] = []
        for block in (b for b in range(width * 8) if mask >> b & 1):
            if expected and expected[-1][1] == block - 1:
                expected[-1][1] = block
            else:
                expected.append([block, block])
        assert [list(run) for run in block_runs(mask, width)] == expected
    assert list(block_runs(0, 3)) == []
    assert list(block_runs((1 << 24) - 1, 3)) == [(0, 23)]
