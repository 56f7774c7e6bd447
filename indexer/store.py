"""The persistent index: one SQLite database per workspace root, in the cache directory.

Crash safety comes from SQLite itself: WAL journal, and each file's rows are replaced in the
same transaction as its `files` row, so a killed indexer leaves a consistent index that is
merely incomplete (the next refresh indexes what is missing). A schema mismatch, or a database
SQLite cannot read, is deleted and rebuilt.

One writer connection per `Store`; readers open their own connections (`Store.reader()`) and
see a consistent snapshot while the writer works.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sqlite3
import struct
import threading
import uuid
from array import array
from collections.abc import Iterable, Sequence
from functools import cache
from operator import itemgetter
from pathlib import Path

from indexer.extract import QUERIES_DIR, RefRow, SymbolRow

log = logging.getLogger(__name__)

SCHEMA_VERSION = 7
AUTOCHECKPOINT_PAGES = 1000  # SQLite's default
# Writers (the refresh, pool workers, the server's buffer updates, another process such as
# `lsp-agent ask`) take turns; building the indexes after a large cold load holds the lock for
# seconds. Waiting is always right here: SQLite's default of 5 s made a big load fail.
BUSY_TIMEOUT_S = 120.0
JOURNAL_SIZE_LIMIT = 8 * 1024 * 1024  # a WAL that grew during a load shrinks back to this
NAME_CACHE_MAX = 100_000  # interned names a connection remembers before starting over
INDEX_NAMES = ("symbols_file", "symbols_name", "refs_file", "refs_name")
# Bytes per symbol and reference are what make a monorepo's index big, so: every name (and
# container) is interned once in `names`; kinds are small integers (`kind_codes`); positions
# are stored relative to the definition's start (mostly 0 or one byte); a file's references
# to one name are one row whose `pos` packs (line delta, column, byte delta, length) per use.
SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE files (
    id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, language TEXT NOT NULL,
    size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, hash TEXT NOT NULL,
    has_errors INTEGER NOT NULL DEFAULT 0,
    symbols INTEGER NOT NULL DEFAULT 0, refs INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE names (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
-- Symbol ids only grow, so "symbols added since" is a rowid range (`indexer.search`): each
-- file's rows take the next ids of the `symbol_seq` counter in `meta` (AUTOINCREMENT did the
-- same, but wrote its counter back once per row: a quarter of the cost of inserting a symbol).
CREATE TABLE symbols (
    id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL,
    name_id INTEGER NOT NULL, kind INTEGER NOT NULL, container_id INTEGER NOT NULL,
    sl INTEGER, sc INTEGER, dl INTEGER, ec INTEGER, sb INTEGER, len INTEGER,
    nl INTEGER, nc INTEGER, ndl INTEGER, nec INTEGER, nsb INTEGER, nlen INTEGER,
    signature TEXT NOT NULL, ascii INTEGER NOT NULL
);
CREATE TABLE refs (
    name_id INTEGER NOT NULL, file_id INTEGER NOT NULL, kind INTEGER NOT NULL, pos BLOB NOT NULL
);
"""
# Secondary indexes are dropped during a cold bulk load and rebuilt after it (several times
# cheaper than maintaining them row by row); every open re-creates any a killed load left out.
# During that load nothing checkpoints the WAL either: each automatic checkpoint (every 1,000
# pages) copies the log into the database and fsyncs it, about 0.2 s of a 1.4 s cold index over
# the stdlib. The WAL frames are checksummed, so a crash mid-load still recovers to the last
# committed batch. One checkpoint at the end, overlapped with building the indexes, does it once.
INDEXES = """
CREATE INDEX IF NOT EXISTS symbols_file ON symbols (file_id);
CREATE INDEX IF NOT EXISTS symbols_name ON symbols (name_id);
CREATE INDEX IF NOT EXISTS refs_file ON refs (file_id);
CREATE INDEX IF NOT EXISTS refs_name ON refs (name_id);
"""
# What a `SymbolRow` becomes, and back: `reads` selects SYMBOL_FIELDS to get a row's tail
# (kind and container are decoded in Python).
SYMBOL_FIELDS = (
    "s.sl, s.sc, s.sl + s.dl, s.ec, s.sb, s.sb + s.len,"
    " s.sl + s.nl, s.nc, s.sl + s.nl + s.ndl, s.nec, s.sb + s.nsb, s.sb + s.nsb + s.nlen,"
    " s.signature, s.ascii"
)
MULTILINE = 128  # added to a reference group's kind: absolute 6-int positions per use


@cache
def kind_codes() -> tuple[str, ...]:
    """Every kind a query can capture (plus the refined ones), in a fixed order: a kind's
    code is its position. Stored in `meta`, so a query change that alters it rebuilds."""
    found = {"method", "constant"}
    for scm in QUERIES_DIR.glob("*-tags.scm"):
        found.update(_CAPTURE_KIND.findall(scm.read_text(encoding="utf-8")))
    return tuple(sorted(found))


@cache
def kind_code_map() -> dict[str, int]:
    return {kind: code for code, kind in enumerate(kind_codes())}


_CAPTURE_KIND = re.compile(r"@(?:name\.)?(?:definition|reference)\.(\w+)")


def pack_positions(uses: list[RefRow]) -> bytes:
    """One name's uses in a file (sorted by start byte) as deltas in 16- or 32-bit ints."""
    if len(uses) == 1:  # the common case: no list, no array, no exception
        _, _, line, col, _, _, sb, eb = uses[0]
        # The start byte bounds the line and the column; the length is checked on its own.
        if sb <= 0xFFFF and eb - sb <= 0xFFFF:
            return _FOUR_SHORTS.pack(b"H", line, col, sb, eb - sb)
        return _FOUR_INTS.pack(b"I", line, col, sb, eb - sb)
    # A plain loop: the C-level map/zip/chain over five lists this replaced cost more for
    # the two or three uses most groups have (and no less for long ones).
    flat: list[int] = []
    last_line = last_start = 0
    for _, _, line, col, _, _, sb, eb in uses:
        flat += (line - last_line, col, sb - last_start, eb - sb)
        last_line, last_start = line, sb
    return _pack_ints(flat)


def pack_absolute(uses: list[RefRow]) -> bytes:
    return _pack_ints([v for use in uses for v in use[2:]])


def _pack_ints(values: list[int]) -> bytes:
    # max() first: an OverflowError raised and caught per row cost more than the packing.
    if max(values) <= 0xFFFF:
        return b"H" + array("H", values).tobytes()
    return b"I" + array("I", values).tobytes()


# What `_pack_ints` makes of one use (a type code and four ints in native order), without a
# list or an array (`array`'s H and I are 2 and 4 bytes wherever CPython runs).
_FOUR_SHORTS = struct.Struct("=c4H")
_FOUR_INTS = struct.Struct("=c4I")


def unpack_positions(blob: bytes, multiline: bool) -> list[tuple[int, int, int, int, int, int]]:
    """(line, col, end_line, end_col, start_byte, end_byte) per use."""
    flat = array(chr(blob[0]))
    flat.frombytes(blob[1:])
    if multiline:
        return [tuple(flat[i : i + 6]) for i in range(0, len(flat), 6)]  # type: ignore[misc]
    out = []
    line = start = 0
    for i in range(0, len(flat), 4):
        line += flat[i]
        start += flat[i + 2]
        col, length = flat[i + 1], flat[i + 3]
        out.append((line, col, line, col + length, start, start + length))
    return out


def db_path_for(cache_dir: str | Path, root: str | Path) -> Path:
    """Where the index of `root` lives: one file per workspace root."""
    root = os.path.abspath(root)
    digest = hashlib.sha256(root.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    name = os.path.basename(root.rstrip(os.sep)) or "root"
    return Path(cache_dir) / "index" / f"{name}-{digest}.sqlite3"


def search_path_for(db_path: str | Path) -> Path:
    """Where the name search file of the index at `db_path` lives (`indexer.search`)."""
    return Path(db_path).with_suffix(".search")


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class Store:
    def __init__(
        self, path: str | Path, root: str, *, existing: bool = False, bulk: bool = False
    ) -> None:
        """Open (creating or rebuilding as needed) the index at `path`. With `existing`, just
        connect to a database another `Store` has already opened: how pool workers write
        (`bulk`: during `begin_bulk_load`)."""
        self.path = Path(path)
        self.root = root
        self._bulk = False
        self._names: dict[str, int] = {}  # interned name -> id, as committed or in this txn
        if existing:
            self.conn = self._connect()
            if bulk:
                self.conn.execute("PRAGMA wal_autocheckpoint=0")
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = self._open_or_rebuild()

    # -- opening ---------------------------------------------------------------------------
    def _open_or_rebuild(self) -> sqlite3.Connection:
        try:
            conn = self._connect()
            if self._usable(conn):
                _create_missing_indexes(conn)
                return conn
            conn.close()
        except sqlite3.DatabaseError as exc:
            # Only a damaged file is rebuilt: "database is locked" (another writer) is not
            # damage, and deleting the file under that writer would lose its work.
            if (exc.sqlite_errorcode & 0xFF) not in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
                raise
            log.warning("index %s is unreadable (%s): rebuilding", self.path, exc)
        self._delete_files()
        conn = self._connect()
        conn.executescript(SCHEMA + INDEXES)
        conn.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [
                ("schema", str(SCHEMA_VERSION)),
                ("root", self.root),
                ("kinds", _kinds_meta()),
                ("epoch", uuid.uuid4().hex),  # ties the search file to this database
                ("symbol_seq", "0"),  # the largest symbol id ever given
            ],
        )
        conn.commit()
        return conn

    def _connect(self) -> sqlite3.Connection:
        # The server reads on other threads through `reader()`; this connection is the writer.
        conn = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT_S, check_same_thread=False, isolation_level=None
        )
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(f"PRAGMA journal_size_limit={JOURNAL_SIZE_LIMIT}")
        return conn

    def _usable(self, conn: sqlite3.Connection) -> bool:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "meta" not in tables:
            return False
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("schema") != str(SCHEMA_VERSION) or meta.get("kinds") != _kinds_meta():
            log.info(
                "index %s has schema %s, want %s (or its kinds changed): rebuilding",
                self.path,
                meta.get("schema"),
                SCHEMA_VERSION,
            )
            return False
        conn.execute("SELECT count(*) FROM files").fetchone()  # raises on a corrupt page
        return True

    def _delete_files(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        search_path_for(self.path).unlink(missing_ok=True)

    @property
    def epoch(self) -> str:
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'epoch'").fetchone()
        return row[0] if row else ""

    def reader(self) -> sqlite3.Connection:
        """A separate read-only connection: a consistent snapshot per statement."""
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        conn.execute("PRAGMA query_only=1")
        return conn

    def close(self) -> None:
        self.conn.close()

    # -- writing ---------------------------------------------------------------------------
    def begin(self) -> None:
        # IMMEDIATE: take the write lock now, waiting for it if need be. A deferred
        # transaction that reads first (a replace looks up the old rows) and then writes fails
        # at once with SQLITE_BUSY if another writer (a pool worker) committed in between.
        self.conn.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self.conn.execute("COMMIT")

    def rollback(self) -> None:
        self.conn.execute("ROLLBACK")
        self._names.clear()  # it may hold ids this transaction took and gave back

    def has_files(self) -> bool:
        """Whether anything is indexed (a cold load when not), without reading the table."""
        return self.conn.execute("SELECT 1 FROM files LIMIT 1").fetchone() is not None

    def file_table(self) -> dict[str, tuple[int, int, int, str]]:
        """path -> (id, size, mtime_ns, hash)"""
        rows = self.conn.execute("SELECT path, id, size, mtime_ns, hash FROM files")
        return {path: (fid, size, mtime, digest) for path, fid, size, mtime, digest in rows}

    def replace_file(
        self,
        path: str,
        language: str,
        stat: tuple[int, int],
        digest: str,
        has_errors: bool,
        symbols: Sequence[SymbolRow],
        refs: Sequence[RefRow],
        new: bool = False,  # known not to be in the index yet: skip the delete
    ) -> None:
        """Swap in a file's new rows (call inside a transaction)."""
        if not new:
            self.remove_files([path])
        row = (path, language, stat[0], stat[1], digest, int(has_errors), len(symbols), len(refs))
        insert = (
            "INSERT INTO files (path, language, size, mtime_ns, hash, has_errors, symbols, refs)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        )
        try:
            cur = self.conn.execute(insert, row)
        except sqlite3.IntegrityError:  # "new" after all: a buffer was stored meanwhile
            self.remove_files([path])
            cur = self.conn.execute(insert, row)
        # The file id is an integer from SQLite itself, so it can go into the statements.
        fid = int(cur.lastrowid or 0)
        names = set(map(_NAME, symbols))
        names.update(map(_NAME, refs))
        containers = set(map(_CONTAINER, symbols))
        containers.discard("")  # no container: id 0
        ids = self.intern(names | containers)
        ids[""] = 0
        codes = kind_code_map()
        if symbols:
            first = self._take_symbol_ids(len(symbols))
            self.conn.executemany(
                f"INSERT INTO symbols (id, file_id, name_id, kind, container_id, {_STORED_COLUMNS})"
                f" VALUES (?, {fid}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                # One stored row at a time: a generated header's 70,000 definitions made a
                # list of tuples as big as the rows themselves, at the pool's peak of memory.
                (_stored_symbol(i, row, ids, codes) for i, row in enumerate(symbols, first)),
            )
        self.conn.executemany(
            f"INSERT INTO refs (name_id, file_id, kind, pos) VALUES (?, {fid}, ?, ?)",
            _ref_groups(refs, ids, codes),
        )

    def _take_symbol_ids(self, count: int) -> int:
        """The first of `count` new symbol ids (inside the write transaction, which serialises
        the writers)."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'symbol_seq'").fetchone()
        first = int(row[0]) + 1
        self.conn.execute(
            "UPDATE meta SET value = ? WHERE key = 'symbol_seq'", (str(first + count - 1),)
        )
        return first

    def intern(self, names: Iterable[str]) -> dict[str, int]:
        """The ids of `names`, adding the new ones (call inside a write transaction: with the
        write lock held, new rows take the ids after the current largest, in order)."""
        names = list(names)
        cache = self._names
        if len(cache) > NAME_CACHE_MAX:
            cache.clear()
        missing = [name for name in names if name not in cache]
        for at in range(0, len(missing), 500):
            chunk = missing[at : at + 500]
            cache.update(
                self.conn.execute(
                    f"SELECT name, id FROM names WHERE name IN ({','.join('?' * len(chunk))})",
                    chunk,
                )
            )
        new = [name for name in missing if name not in cache]
        if new:
            last = self.conn.execute("SELECT coalesce(max(id), 0) FROM names").fetchone()[0]
            self.conn.executemany("INSERT INTO names (id, name) VALUES (?, ?)",
                                  enumerate(new, last + 1))  # fmt: skip
            cache.update((name, i) for i, name in enumerate(new, last + 1))
        return {name: cache[name] for name in names}

    @property
    def bulk_loading(self) -> bool:
        """Whether the secondary indexes are dropped (a cold load is filling the store)."""
        return self._bulk

    def begin_bulk_load(self) -> None:
        """Before filling an empty index: no secondary indexes, no automatic checkpoints (pool
        workers' connections are opened with `bulk=True` to match)."""
        for name in INDEX_NAMES:
            self.conn.execute(f"DROP INDEX IF EXISTS {name}")
        self.conn.execute("PRAGMA wal_autocheckpoint=0")
        self._bulk = True

    def end_bulk_load(self) -> None:
        """Build the indexes while another connection checkpoints the load (SQLite releases
        the GIL, so the two run on two cores), then restore automatic checkpoints."""
        if not self._bulk:
            return
        checkpoint = threading.Thread(target=self.checkpoint, name="index-checkpoint")
        checkpoint.start()
        try:
            self.conn.executescript(INDEXES)
            self._bulk = False  # only once built: a failed build is retried by the next call
        finally:
            checkpoint.join()
            self.conn.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")

    def truncate_wal(self) -> None:
        """Checkpoint everything and empty the WAL, which a load grew to the size of the data
        (call when no worker writes any more; a reader in the way only postpones it)."""
        try:
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.OperationalError as exc:
            log.info("could not truncate the WAL of %s yet: %s", self.path, exc)

    def checkpoint(self) -> None:
        """Copy what the WAL holds into the database, on a connection of its own and without
        waiting for readers (a PASSIVE checkpoint: safe next to this connection's work)."""
        try:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            try:
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            finally:
                conn.close()
        except sqlite3.Error as exc:  # a later automatic checkpoint will do it
            log.warning("checkpoint of %s failed: %s", self.path, exc)

    def touch_file(self, path: str, stat: tuple[int, int]) -> None:
        """Content unchanged (same hash), only size/mtime moved: no re-parse needed."""
        self.conn.execute(
            "UPDATE files SET size = ?, mtime_ns = ? WHERE path = ?", (stat[0], stat[1], path)
        )

    def remove_files(self, paths: Iterable[str]) -> None:
        for path in paths:
            row = self.conn.execute("SELECT id FROM files WHERE path = ?", (path,)).fetchone()
            if row is None:
                continue
            self.conn.execute("DELETE FROM symbols WHERE file_id = ?", row)
            self.conn.execute("DELETE FROM refs WHERE file_id = ?", row)
            self.conn.execute("DELETE FROM files WHERE id = ?", row)


def _create_missing_indexes(conn: sqlite3.Connection) -> None:
    """Re-create indexes a killed bulk load left out (without a write when none is missing)."""
    have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    if not set(INDEX_NAMES) <= have:
        conn.executescript(INDEXES)


_STORED_COLUMNS = "sl, sc, dl, ec, sb, len, nl, nc, ndl, nec, nsb, nlen, signature, ascii"


def _kinds_meta() -> str:
    return ",".join(kind_codes())


def _stored_symbol(
    symbol_id: int, row: SymbolRow, ids: dict[str, int], codes: dict[str, int]
) -> tuple:
    name, kind, container, sl, sc, el, ec, sb, eb, nl, nc, nel, nec, nsb, neb, sig, ascii_ = row
    return (
        symbol_id, ids[name], codes[kind], ids[container],
        sl, sc, el - sl, ec, sb, eb - sb, nl - sl, nc, nel - nl, nec, nsb - sb, neb - nsb,
        pack_signature(sig, name), ascii_,
    )  # fmt: skip


def pack_signature(signature: str, name: str) -> str:
    """The signature line with the symbol's name (nearly always in it) as one NUL: the name
    is stored once, in `names` (a NUL of the source line reads back as U+FFFD)."""
    signature = signature.replace("\x00", "\ufffd")
    return signature.replace(name, "\x00", 1) if name else signature


def unpack_signature(stored: str, name: str) -> str:
    return stored.replace("\x00", name, 1)


def _ref_groups(
    refs: Sequence[RefRow], ids: dict[str, int], codes: dict[str, int]
) -> list[tuple[int, int, bytes]]:
    """One (name id, kind, packed positions) row per name and kind used in a file."""
    # One sort of the file's uses, so that every group comes out in order (a sort per group,
    # with a key function, cost more than the grouping).
    groups: dict[tuple[str, str, bool], list[RefRow]] = {}
    for ref in sorted(refs, key=_START_BYTE):
        key = (ref[0], ref[1], ref[2] != ref[4])
        group = groups.get(key)
        if group is None:
            groups[key] = [ref]
        else:
            group.append(ref)
    return [
        (ids[name], codes[kind] + MULTILINE, pack_absolute(uses))
        if multiline
        else (ids[name], codes[kind], pack_positions(uses))
        for (name, kind, multiline), uses in groups.items()
    ]


_START_BYTE = itemgetter(6)
_NAME = itemgetter(0)
_CONTAINER = itemgetter(2)
