"""Read queries over the store, returning `model` records. Each takes a (reader) connection."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from indexer.extract import symbol_from_row
from indexer.model import Reference, Span, Symbol
from indexer.store import (
    MULTILINE,
    SYMBOL_FIELDS,
    kind_code_map,
    kind_codes,
    unpack_positions,
    unpack_signature,
)

_SELECT_SYMBOLS = (
    f"SELECT f.path, f.language, n.name, s.kind, coalesce(c.name, ''), {SYMBOL_FIELDS}"
    " FROM symbols s JOIN files f ON f.id = s.file_id JOIN names n ON n.id = s.name_id"
    " LEFT JOIN names c ON c.id = s.container_id"
)
_NAME_ID = "(SELECT id FROM names WHERE name = ?)"
# Names per statement of `definitions_by_name`, always this many (padded), so that each
# connection compiles the statement once: compiling a UNION ALL of 128 such parts took 17 ms,
# more than running it.
DEFINITION_PARTS = 8
_DEFINITIONS_OF_NAMES = " UNION ALL ".join(
    [
        "SELECT * FROM ("
        + _SELECT_SYMBOLS.replace("SELECT ", "SELECT s.name_id, ", 1)
        + " WHERE s.name_id = ? ORDER BY s.id LIMIT ?)"
    ]
    * DEFINITION_PARTS
)


NAME_BATCHES = (8, 32, 128, 500)  # ids per statement of `names_by_id` (under SQLite's limit)
_NAMES_BY_ID = {
    n: f"SELECT id, name FROM names WHERE id IN ({','.join('?' * n)})" for n in NAME_BATCHES
}


def _symbol(row: tuple) -> Symbol:
    path, language, name, kind, container, *rest = row
    rest[12] = unpack_signature(rest[12], name)
    return symbol_from_row(path, language, (name, kind_codes()[kind], container, *rest))


def _references(path: str, name: str, kind: int, blob: bytes) -> list[Reference]:
    kind_name = kind_codes()[kind % MULTILINE]
    return [
        Reference(name, kind_name, path, Span((line, col), (end_line, end_col), sb, eb))
        for line, col, end_line, end_col, sb, eb in unpack_positions(blob, kind >= MULTILINE)
    ]


def file_symbols(conn: sqlite3.Connection, path: str) -> list[Symbol]:
    rows = conn.execute(f"{_SELECT_SYMBOLS} WHERE f.path = ? ORDER BY s.sb, -s.len", (path,))
    return [_symbol(r) for r in rows]


def symbols_named(conn: sqlite3.Connection, name: str) -> list[Symbol]:
    rows = conn.execute(
        f"{_SELECT_SYMBOLS} WHERE s.name_id = {_NAME_ID} ORDER BY f.path, s.sb", (name,)
    )
    return [_symbol(r) for r in rows]


def definitions_by_name(
    conn: sqlite3.Connection, name_ids: Sequence[int], limit: int
) -> list[tuple[int, list[Symbol], bool]]:
    """The definitions of each name in turn, oldest first, at most `limit` in all, per name:
    (name id, its definitions, whether that is all of them) for each name read before `limit`
    definitions in all were (`read_cache`). Each name is its own `LIMIT` on the name index (a
    name defined 30,000 times, `flags` in the kernel, costs no more than one defined once);
    the names go DEFINITION_PARTS to a statement (a UNION ALL, whose parts SQLite runs in
    order), and rows are read only until the limit is filled."""
    out: list[tuple[int, list[Symbol], bool]] = []
    total = 0
    for start in range(0, len(name_ids), DEFINITION_PARTS):
        chunk = list(name_ids[start : start + DEFINITION_PARTS])
        part_limit = limit - total  # each name's own LIMIT in this statement
        found: dict[int, list[Symbol]] = {name_id: [] for name_id in chunk}
        chunk += [0] * (DEFINITION_PARTS - len(chunk))  # no name has id 0: one statement text
        args = [value for name_id in chunk for value in (name_id, part_limit)]
        last = None  # the parts run in order: every name before this one was read in full
        for name_id, *row in conn.execute(_DEFINITIONS_OF_NAMES, args):
            found[name_id].append(_symbol(tuple(row)))
            total += 1
            if total >= limit:
                last = name_id
                break
        for name_id, symbols in found.items():
            if name_id == last:  # more of its rows may follow
                out.append((name_id, symbols, False))
                return out
            out.append((name_id, symbols, len(symbols) < part_limit))
    return out


def symbols_of_names(
    conn: sqlite3.Connection, name_ids: Sequence[int], limit: int
) -> dict[int, list[Symbol]]:
    """Up to `limit` definitions of each name, oldest first, in one statement: while a cold
    bulk load has dropped the name index, each part of `definitions_by_name` scans every
    symbol (hundreds of ms per search); this scans once."""
    found: dict[int, list[Symbol]] = {name_id: [] for name_id in name_ids}
    for start in range(0, len(name_ids), 500):  # SQLite's bound-parameter limit
        chunk = name_ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(
            f"{_SELECT_SYMBOLS.replace('SELECT ', 'SELECT s.name_id, ', 1)}"
            f" WHERE s.name_id IN ({marks}) ORDER BY s.id",
            chunk,
        )
        for name_id, *row in rows:
            if len(found[name_id]) < limit:
                found[name_id].append(_symbol(tuple(row)))
    return found


def symbols_by_id(conn: sqlite3.Connection, symbol_ids: Sequence[int]) -> dict[int, Symbol]:
    """The symbols with these ids (rowid lookups: no index needed)."""
    found: dict[int, Symbol] = {}
    for start in range(0, len(symbol_ids), 500):  # SQLite's bound-parameter limit
        chunk = list(symbol_ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(
            f"{_SELECT_SYMBOLS.replace('SELECT ', 'SELECT s.id, ', 1)} WHERE s.id IN ({marks})",
            chunk,
        )
        found.update((symbol_id, _symbol(tuple(row))) for symbol_id, *row in rows)
    return found


def references_named(conn: sqlite3.Connection, name: str) -> list[Reference]:
    rows = conn.execute(
        "SELECT f.path, r.kind, r.pos FROM refs r JOIN files f ON f.id = r.file_id"
        f" WHERE r.name_id = {_NAME_ID}",
        (name,),
    )
    found = [ref for path, kind, pos in rows for ref in _references(path, name, kind, pos)]
    return sorted(found, key=lambda r: (r.path, r.selection.start_byte))


def file_references(conn: sqlite3.Connection, path: str) -> list[Reference]:
    rows = conn.execute(
        "SELECT n.name, r.kind, r.pos FROM refs r JOIN names n ON n.id = r.name_id"
        " WHERE r.file_id = (SELECT id FROM files WHERE path = ?)",
        (path,),
    )
    found = [ref for name, kind, pos in rows for ref in _references(path, name, kind, pos)]
    return sorted(found, key=lambda r: r.selection.start_byte)


def names_since(conn: sqlite3.Connection, symbol_id: int) -> list[tuple[int, str]]:
    """(name id, name) of the names given a definition after symbol `symbol_id`."""
    # CROSS JOIN fixes the order: from the (short) rowid range of new symbols to their names.
    return conn.execute(
        "SELECT DISTINCT n.id, n.name FROM symbols s CROSS JOIN names n ON n.id = s.name_id"
        " WHERE s.id > ?",
        (symbol_id,),
    ).fetchall()


def defined_names(conn: sqlite3.Connection, last: int, chunk: int = 10_000):
    """Every name with a definition up to symbol `last`, as (name id, name) in search order
    (by length, then name: SQLite's `length` counts characters), `chunk` rows at a time."""
    # Distinct ids straight off the name index (it holds the rowid too), then their names;
    # SQLite sorts out of core, so this stays small whatever the number of names.
    cursor = conn.execute(
        "SELECT n.id, n.name FROM (SELECT DISTINCT name_id FROM symbols WHERE id <= ?) d"
        " CROSS JOIN names n ON n.id = d.name_id ORDER BY length(n.name), n.name",
        (last,),
    )
    while rows := cursor.fetchmany(chunk):
        yield rows


def names_by_id(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for at in range(0, len(ids), NAME_BATCHES[-1]):
        chunk = list(ids[at : at + NAME_BATCHES[-1]])
        # Padded to one of a few sizes (no name has id 0), so that each connection compiles
        # a few statements once: a statement per length was compiled again on most searches.
        size = next(n for n in NAME_BATCHES if n >= len(chunk))
        chunk += [0] * (size - len(chunk))
        found.update(conn.execute(_NAMES_BY_ID[size], chunk))
    return found


def last_symbol_id(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT coalesce(max(id), 0) FROM symbols").fetchone()[0]


def paths(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT path FROM files ORDER BY path")]


def counts(conn: sqlite3.Connection) -> tuple[int, int, int, dict[str, int]]:
    files, symbols, refs = conn.execute(
        "SELECT count(*), coalesce(sum(symbols), 0), coalesce(sum(refs), 0) FROM files"
    ).fetchone()
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
    codes = [kind_code_map()[k] for k in kinds if k in kind_code_map()]
    return conn.execute(
        "SELECT DISTINCT n.name, f.path FROM symbols s JOIN files f ON f.id = s.file_id"
        f" JOIN names n ON n.id = s.name_id WHERE s.kind IN ({','.join('?' * len(codes))})",
        codes,
    ).fetchall()


def reference_counts(conn: sqlite3.Connection) -> list[tuple[str, str, int]]:
    """(path, name, uses) for every name referenced in every file."""
    counts: dict[tuple[str, str], int] = {}
    rows = conn.execute(
        "SELECT f.path, n.name, r.kind, substr(r.pos, 1, 1), length(r.pos) FROM refs r"
        " JOIN files f ON f.id = r.file_id JOIN names n ON n.id = r.name_id"
    )
    for path, name, kind, code, size in rows:
        # `pos`: a width code ("H" or "I"), then 4 ints per use (6 when multi-line)
        per_use = (6 if kind >= MULTILINE else 4) * (2 if code == b"H" else 4)
        counts[path, name] = counts.get((path, name), 0) + (size - 1) // per_use
    return [(path, name, n) for (path, name), n in counts.items()]


def has_file(conn: sqlite3.Connection, path: str) -> bool:
    return conn.execute("SELECT 1 FROM files WHERE path = ?", (path,)).fetchone() is not None


def file_hash(conn: sqlite3.Connection, path: str) -> str | None:
    row = conn.execute("SELECT hash FROM files WHERE path = ?", (path,)).fetchone()
    return row[0] if row else None
