"""Symbol extraction per language, driven by fixtures/<name> + fixtures/<name>.expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.extract import extract_file
from tests.indexer.helpers import check

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = sorted(p for p in FIXTURES.iterdir() if p.suffix != ".expected" and p.is_file())


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_fixture(sample: Path) -> None:
    expected = sample.with_name(sample.name + ".expected").read_text(encoding="utf-8")
    check(sample.read_bytes(), expected, path=str(sample))


def test_every_language_has_a_fixture() -> None:
    from indexer.languages import LANGUAGES, spec_for_path

    covered = {spec.name for p in SAMPLES if (spec := spec_for_path(p.name))}
    assert covered == {spec.name for spec in LANGUAGES}


def test_syntax_errors_keep_what_parses() -> None:
    check(
        "def ok():\n    pass\n\ndef broken(:\n\nclass Fine:\n    pass\n",
        "function ok 1\nfunction broken 4\nclass Fine 6",
    )


def test_invalid_utf8_keeps_byte_offsets() -> None:
    source = b"x = '\xff\xfe'\ndef after(): pass\n"
    symbol = next(s for s in extract_file("/bad.py", source).symbols if s.name == "after")
    start, end = symbol.selection.start_byte, symbol.selection.end_byte
    assert source[start:end] == b"after"
    assert symbol.selection.start == (1, 4)


def test_columns_are_utf8_bytes() -> None:
    source = "s = '😀'; t = 1\nclass 名前: pass\n".encode()
    symbol = next(s for s in extract_file("/u.py", source).symbols if s.kind == "class")
    assert symbol.selection.start == (1, 6)
    assert symbol.selection.end == (1, 12)  # two CJK characters, three bytes each


def test_references_are_recorded() -> None:
    source = b"import os\nclass A(B):\n    def f(self) -> T:\n        return g(os.path.join())\n"
    refs = {(r.kind, r.name) for r in extract_file("/r.py", source).references}
    assert {
        ("import", "os"),
        ("class", "B"),
        ("type", "T"),
        ("call", "g"),
        ("call", "join"),
    } <= refs


def test_signature_is_the_first_line_capped() -> None:
    source = b"function f() {" + b"x();" * 10_000 + b"}\n"
    (symbol,) = extract_file("/min.js", source).symbols
    assert symbol.signature.startswith("function f() {x();")
    assert len(symbol.signature) <= 200
