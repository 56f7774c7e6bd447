"""Open documents: incremental edits must give exactly what a fresh parse gives."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from indexer.documents import OpenDocument, subsequence_filter
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


def _holds_in_order(query: str, name: str) -> bool:
    """What a search can rank: the query's bytes in the name, in order, ASCII case ignored."""
    letters = iter(name.encode("utf-8", "surrogateescape").lower())
    return all(byte in letters for byte in query.encode("utf-8", "surrogateescape").lower())


def test_symbols_matching_a_query_are_those_holding_its_bytes_in_order() -> None:
    source = (
        "class HTTPServer:\n    def get_user_by_id(self): pass\n    def getUserById(self): pass\n"
        "def naïve_überall(): pass\nclass Ünïcode: pass\nMAX_SIZE = 1\n_private = 2\n"
        "def x(): pass\n"
    ).encode()
    doc = OpenDocument.open("/a.py", source)
    assert doc is not None
    names = [s.name for s in doc.symbols()]
    rng = random.Random(5)
    queries = [
        "",
        "g",
        "gubi",
        "GUBI",
        "hs",
        "srv",
        "ü",
        "Ü",
        "naï",
        "_",
        "max_",
        "zz",
        "x",
        "[",
        "\\",
    ]
    for name in names:
        picked = sorted(rng.sample(range(len(name)), min(len(name), 3)))
        queries += [name, name.upper(), "".join(name[i] for i in picked)]
    for query in queries:
        wanted = query.encode("utf-8", "surrogateescape").lower()
        got = [s.name for s in doc.symbols_matching(subsequence_filter(wanted))]
        assert got == [n for n in names if _holds_in_order(query, n)], query
    # An edit replaces the rows: the names are read again.
    doc.edit(len(source), len(source), b"def getZebra(): pass\n")
    doc.reparse()
    found = [s.name for s in doc.symbols_matching(subsequence_filter(b"gzeb"))]
    assert found == ["getZebra"]
