"""Read queries over the store, returning `model` records. Each takes a (reader) connection."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from indexer.extract import symbol_from_row
from indexer.model import Reference, Span, Symbol
from indexer.store import SYMBOL_COLUMNS

_SELECT_SYMBOLS = (
    f"SELECT f.path, f.language, {', '.join('s.' + c for c in SYMBOL_COLUMNS.split(', '))}"
    " FROM symbols s JOIN files f ON f.id = s.file_id"
)
_SELECT_REFS = (
    "SELECT f.path, r.name, r.kind, r.line, r.col, r.end_line, r.end_col, r.sb, r.eb"
    " FROM refs r JOIN files f ON f.id = r.file_id"
)


def _symbol(row: tuple) -> Symbol:
    return symbol_from_row(row[0], row[1], row[2:])


def _reference(row: tuple) -> Reference:
    path, name, kind, line, col, end_line, end_col, sb, eb = row
    return Reference(name, kind, path, Span((line, col), (end_line, end_col), sb, eb))


def file_symbols(conn: sqlite3.Connection, path: str) -> list[Symbol]:
    rows = conn.execute(f"{_SELECT_SYMBOLS} WHERE f.path = ? ORDER BY s.sb, -s.eb", (path,))
    return [_symbol(r) for r in rows]


def symbols_named(conn: sqlite3.Connection, name: str) -> list[Symbol]:
    rows = conn.execute(f"{_SELECT_SYMBOLS} WHERE s.name = ? ORDER BY f.path, s.sb", (name,))
    return [_symbol(r) for r in rows]


def symbols_by_ids(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, Symbol]:
    """The symbols of `ids` that still exist (ids deleted since a search snapshot are not)."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = conn.execute(
        f"{_SELECT_SYMBOLS.replace('SELECT ', 'SELECT s.id, ', 1)} WHERE s.id IN ({marks})", ids
    )
    return {r[0]: _symbol(r[1:]) for r in rows}


def references_named(conn: sqlite3.Connection, name: str) -> list[Reference]:
    rows = conn.execute(f"{_SELECT_REFS} WHERE r.name = ? ORDER BY f.path, r.sb", (name,))
    return [_reference(r) for r in rows]


def file_references(conn: sqlite3.Connection, path: str) -> list[Reference]:
    rows = conn.execute(f"{_SELECT_REFS} WHERE f.path = ? ORDER BY r.sb", (path,))
    return [_reference(r) for r in rows]


def all_names(conn: sqlite3.Connection) -> list[tuple[int, str]]:
    return conn.execute("SELECT id, name FROM symbols").fetchall()


def paths(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT path FROM files ORDER BY path")]


def counts(conn: sqlite3.Connection) -> tuple[int, int, int, dict[str, int]]:
    files = conn.execute("SELECT count(*) FROM files").fetchone()[0]
    symbols = conn.execute("SELECT count(*) FROM symbols").fetchone()[0]
    refs = conn.execute("SELECT count(*) FROM refs").fetchone()[0]
    languages = dict(
        conn.execute("SELECT language, count(*) FROM files GROUP BY language ORDER BY 2 DESC")
    )
    return files, symbols, refs, languages


def all_symbols(conn: sqlite3.Connection, limit: int | None = None) -> list[Symbol]:
    sql = f"{_SELECT_SYMBOLS} ORDER BY f.path, s.sb"
    rows = conn.execute(sql + " LIMIT ?", (limit,)) if limit else conn.execute(sql)
    return [_symbol(r) for r in rows]


def definition_sites(conn: sqlite3.Connection, kinds: Sequence[str]) -> list[tuple[str, str]]:
    """Distinct (name, path) of definitions of the given kinds."""
    return conn.execute(
        "SELECT DISTINCT s.name, f.path FROM symbols s JOIN files f ON f.id = s.file_id"
        f" WHERE s.kind IN ({','.join('?' * len(kinds))})",
        tuple(kinds),
    ).fetchall()


def reference_counts(conn: sqlite3.Connection) -> list[tuple[str, str, int]]:
    """(path, name, uses) for every name referenced in every file."""
    return conn.execute(
        "SELECT f.path, r.name, count(*) FROM refs r JOIN files f ON f.id = r.file_id"
        " GROUP BY f.path, r.name"
    ).fetchall()


def has_file(conn: sqlite3.Connection, path: str) -> bool:
    return conn.execute("SELECT 1 FROM files WHERE path = ?", (path,)).fetchone() is not None


def file_hash(conn: sqlite3.Connection, path: str) -> str | None:
    row = conn.execute("SELECT hash FROM files WHERE path = ?", (path,)).fetchone()
    return row[0] if row else None
