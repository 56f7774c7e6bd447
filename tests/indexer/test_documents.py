"""Open documents: incremental edits must give exactly what a fresh parse gives."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from indexer.documents import OpenDocument
from indexer.extract import extract_file

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = sorted(p for p in FIXTURES.iterdir() if p.suffix != ".expected" and p.is_file())
SNIPPETS = [
    b"x",
    b"\n",
    b"    ",
    b"def g():\n    pass\n",
    b"(",
    b"}",
    b"class Z:",
    b"",
    b"\xf0\x9f\x98\x80",
]


def fresh(path: str, source: bytes) -> tuple[list, list]:
    result = extract_file(path, source)
    return list(result.symbols), sorted(result.references, key=lambda r: r.selection.start_byte)


def assert_same_as_fresh(doc: OpenDocument) -> None:
    symbols, refs = fresh(doc.path, doc.source)
    current = doc.file_symbols()
    assert list(current.symbols) == symbols
    assert list(current.references) == refs


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_random_edits_match_a_fresh_parse(sample: Path) -> None:
    rng = random.Random(sample.name)
    doc = OpenDocument.open(str(sample), sample.read_bytes())
    assert doc is not None
    for _ in range(150):
        start = rng.randrange(len(doc.source) + 1)
        end = min(len(doc.source), start + rng.choice([0, 0, 1, 3, 20]))
        doc.edit(start, end, rng.choice(SNIPPETS))
        doc.reparse()
        assert_same_as_fresh(doc)


def test_dedent_ends_a_function_early() -> None:
    source = b"class A:\n    def f(self):\n        x = 1\n        y = 2\n\n"
    source += b"    def g(self):\n        pass\n"
    doc = OpenDocument.open("/a.py", source)
    assert doc is not None
    at = source.index(b"        y")
    doc.edit(at, at + 8, b"")  # `y = 2` moves to column 0: it ends class A
    doc.reparse()
    assert_same_as_fresh(doc)


def test_several_edits_before_one_reparse() -> None:
    doc = OpenDocument.open("/a.py", b"def a(): pass\ndef b(): pass\n")
    assert doc is not None
    doc.edit(4, 5, b"alpha")
    doc.edit(len(b"def alpha(): pass\ndef "), len(b"def alpha(): pass\ndef b"), b"beta")
    doc.reparse()
    assert [s.name for s in doc.symbols()] == ["alpha", "beta"]
    assert_same_as_fresh(doc)


def test_unknown_extension() -> None:
    assert OpenDocument.open("/notes.txt", b"hello") is None
