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
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

from indexer.extract import RefRow, SymbolRow

log = logging.getLogger(__name__)

SCHEMA_VERSION = 4
AUTOCHECKPOINT_PAGES = 1000  # SQLite's default
# Writers (the refresh, pool workers, the server's buffer updates, another process such as
# `lsp-agent ask`) take turns; building the indexes after a large cold load holds the lock for
# seconds. Waiting is always right here: SQLite's default of 5 s made a big load fail.
BUSY_TIMEOUT_S = 120.0
JOURNAL_SIZE_LIMIT = 8 * 1024 * 1024  # a WAL that grew during a load shrinks back to this
INDEX_NAMES = ("symbols_file", "symbols_name", "refs_file", "refs_name")
SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE files (
    id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, language TEXT NOT NULL,
    size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, hash TEXT NOT NULL,
    has_errors INTEGER NOT NULL DEFAULT 0
);
-- AUTOINCREMENT: ids are never reused, so a search snapshot never maps to someone else's row.
CREATE TABLE symbols (
    id INTEGER PRIMARY KEY AUTOINCREMENT, file_id INTEGER NOT NULL,
    name TEXT NOT NULL, kind TEXT NOT NULL, container TEXT NOT NULL,
    sl INTEGER, sc INTEGER, el INTEGER, ec INTEGER, sb INTEGER, eb INTEGER,
    nl INTEGER, nc INTEGER, nel INTEGER, nec INTEGER, nsb INTEGER, neb INTEGER,
    signature TEXT NOT NULL, ascii INTEGER NOT NULL
);
CREATE TABLE refs (
    file_id INTEGER NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,
    line INTEGER, col INTEGER, end_line INTEGER, end_col INTEGER, sb INTEGER, eb INTEGER
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
CREATE INDEX IF NOT EXISTS symbols_name ON symbols (name);
CREATE INDEX IF NOT EXISTS refs_file ON refs (file_id);
CREATE INDEX IF NOT EXISTS refs_name ON refs (name);
"""
SYMBOL_COLUMNS = (
    "name, kind, container, sl, sc, el, ec, sb, eb, nl, nc, nel, nec, nsb, neb, signature, ascii"
)


def db_path_for(cache_dir: str | Path, root: str | Path) -> Path:
    """Where the index of `root` lives: one file per workspace root."""
    root = os.path.abspath(root)
    digest = hashlib.sha256(root.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    name = os.path.basename(root.rstrip(os.sep)) or "root"
    return Path(cache_dir) / "index" / f"{name}-{digest}.sqlite3"


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
            [("schema", str(SCHEMA_VERSION)), ("root", self.root)],
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
        if meta.get("schema") != str(SCHEMA_VERSION):
            log.info(
                "index %s has schema %s, want %s: rebuilding",
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
        row = (path, language, stat[0], stat[1], digest, int(has_errors))
        insert = (
            "INSERT INTO files (path, language, size, mtime_ns, hash, has_errors)"
            " VALUES (?, ?, ?, ?, ?, ?)"
        )
        try:
            cur = self.conn.execute(insert, row)
        except sqlite3.IntegrityError:  # "new" after all: a buffer was stored meanwhile
            self.remove_files([path])
            cur = self.conn.execute(insert, row)
        fid = cur.lastrowid
        # The file id is an integer from SQLite itself, so it can go into the statement and
        # the rows go in as they came from the worker, without rebuilding each tuple.
        fid = int(fid or 0)
        self.conn.executemany(
            f"INSERT INTO symbols (file_id, {SYMBOL_COLUMNS})"
            f" VALUES ({fid}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            symbols,
        )
        self.conn.executemany(f"INSERT INTO refs VALUES ({fid}, ?, ?, ?, ?, ?, ?, ?, ?)", refs)

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
        checkpoint = threading.Thread(target=self._checkpoint, name="index-checkpoint")
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

    def _checkpoint(self) -> None:
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
