"""The store's own encodings, through a real SQLite file: packed reference positions and the
symbol id counter (ids only grow, which the search file's "symbols added since" relies on)."""

from __future__ import annotations

from pathlib import Path

from indexer import reads
from indexer.extract import extract_source, reference_from_row, symbol_from_row
from indexer.store import Store


def store_source(store: Store, path: str, source: bytes, language: str = "python") -> None:
    symbols, refs, errors = extract_source(source, language)
    store.begin()
    store.replace_file(path, language, (len(source), 0), "h", errors, symbols, refs)
    store.commit()


def test_references_read_back_as_extracted(tmp_path: Path) -> None:
    # A name used many times on many lines (line and byte deltas), uses past byte 65,535
    # (32-bit positions), a single use, and a multi-line reference (absolute positions).
    body = "".join(f"def f{i}(x):\n    return g(x) + h(x, {i})\n" for i in range(2500))
    source = (body + "k()\nm((\n  1))\nimport a.\\\n  b\n").encode()
    assert len(source) > 65_536
    path = str(tmp_path / "big.py")
    store = Store(tmp_path / "x.db", str(tmp_path))
    store_source(store, path, source)
    symbols, refs, _ = extract_source(source, "python")
    assert any(ref[2] != ref[4] for ref in refs), "no multi-line reference in the sample"
    expected = sorted(
        (reference_from_row(path, r) for r in refs), key=lambda r: r.selection.start_byte
    )
    assert reads.file_references(store.conn, path) == expected
    assert reads.file_symbols(store.conn, path) == [
        symbol_from_row(path, "python", row) for row in sorted(symbols, key=lambda r: (r[7], -r[8]))
    ]


def test_symbol_ids_are_never_given_twice(tmp_path: Path) -> None:
    store = Store(tmp_path / "x.db", str(tmp_path))
    store_source(store, "/a.py", b"def a(): pass\ndef b(): pass\n")
    store_source(store, "/b.py", b"def c(): pass\ndef d(): pass\n")
    newest = reads.last_symbol_id(store.conn)
    # Replacing the newest file deletes the largest ids; its new rows must still come after.
    store_source(store, "/b.py", b"def e(): pass\n")
    ids = [i for (i,) in store.conn.execute("SELECT id FROM symbols ORDER BY id")]
    assert len(ids) == 3 and ids[-1] > newest
    store.close()
    reopened = Store(tmp_path / "x.db", str(tmp_path))  # the counter is in the database
    store_source(reopened, "/b.py", b"def f(): pass\n")
    assert reads.last_symbol_id(reopened.conn) > ids[-1]
    assert [s.name for s in reads.symbols_named(reopened.conn, "f")] == ["f"]
