"""`WorkspaceIndex`: the indexer's front door (refresh, per-file updates, queries).

Writes go through one writer connection guarded by a lock (refresh runs in a background thread
in the server, per-file updates come from the event loop). Reads use per-thread read-only
connections, so they see committed snapshots and never wait for a refresh to finish.
"""

from __future__ import annotations

import dataclasses
import heapq
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import ExitStack
from dataclasses import dataclass
from itertools import islice
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import TypeVar

from indexer import reads as q
from indexer.batches import batches
from indexer.extract import to_file_symbols
from indexer.load_names import LoadNames
from indexer.model import FileSymbols, IndexStats, Reference, Symbol
from indexer.read_cache import ReadCache, ReadView
from indexer.refresh_plan import plan_refresh
from indexer.scan import DEFAULT_MAX_FILE_SIZE, ScanLimits, included
from indexer.search import RankKey, SearchIndex, distinct_names, sorted_names
from indexer.search_build import delta_sections, in_child, mp_context, write_search_file
from indexer.store import Store, content_hash, db_path_for, search_path_for
from indexer.worker import Job, Result, init_pool_worker, run_batch, run_job, write_results

log = logging.getLogger(__name__)
T = TypeVar("T")

# Symbols added since the search file was written: past this many, rewrite it rather than
# hold their names in memory (and rebuild that in-memory index after every write).
DELTA_REBUILD = 20_000
# While a refresh writes, the in-memory part is rebuilt in the background at most this often;
# searches answer from the previous one meanwhile. Single-file updates never lag.
REFRESH_SEARCH_LAG_S = 1.0
INLINE_LIMIT = 16  # fewer changed files than this: parse in-process, a pool costs more


@dataclass(frozen=True, slots=True)
class Progress:
    done: int  # files processed so far
    total: int  # files to process in this refresh
    path: str  # the last file processed


class Cancelled(Exception):
    """Raised by `refresh` when its cancel event is set; the index keeps what was committed."""


class WorkspaceIndex:
    def __init__(
        self,
        root: str | Path,
        cache_dir: str | Path,
        *,
        excludes: Sequence[str] = (),
        max_file_size: int = DEFAULT_MAX_FILE_SIZE,
        workers: int | None = None,
        niceness: int = 0,
        limits: ScanLimits | None = None,
        offload: bool = False,
    ) -> None:
        self.root = os.path.abspath(root)
        # Scan the tree and write the search file in child processes (a server: its event
        # loop shares the GIL with the thread that does them; the CLI has nothing else to do).
        self.offload = offload
        # Added to the pool workers' nice value: an editor's server indexes in the background
        # and its own requests come first for the CPU (the command-line index runs at 0).
        self.niceness = niceness
        self.limits = limits or ScanLimits()
        self.excludes = tuple(excludes)
        self.max_file_size = max_file_size
        self.workers = workers or os.cpu_count() or 1
        self.db_path = db_path_for(cache_dir, self.root)
        self._store = Store(self.db_path, self.root)
        self._write_lock = threading.Lock()
        self._local = threading.local()
        self._generation = 0  # bumped on every committed write; the search snapshot follows it
        self._generation_lock = threading.Lock()
        self._search_path = search_path_for(self.db_path)
        self._scan_record = Path(self.db_path).with_suffix(".dirs")  # `indexer.scan_cache`
        self._epoch = self._store.epoch
        self._base: SearchIndex | None = None  # the search file, mapped
        self._base_opened = False
        self._delta: SearchIndex | None = None  # names defined since the file was written
        self._delta_built = 0.0  # time.monotonic() when `_delta` was built
        self._refreshing = 0  # refreshes running (their writes may lag the search briefly)
        self._search_lock = threading.Lock()
        self._base_lock = threading.Lock()
        self._rebuilding = False
        self._delta_rebuilding = False
        # Set by close(): the search's background threads (which may outlive it: a rewrite
        # of a monorepo's search file takes a minute) stop, or fail quietly, after it.
        self._closed = False
        self._load_names = LoadNames()  # while a bulk load has no name index
        self._read_cache = ReadCache()  # what searches read, for the next search

    # -- reads -----------------------------------------------------------------------------
    def _reader(self):
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._store.reader()
        return conn

    def _read_view(self) -> ReadView:
        """This thread's view of what searches read (over its reader connection)."""
        view = getattr(self._local, "view", None)
        if view is None:
            view = self._local.view = self._read_cache.view(self._reader())
        return view

    def _spellings(self, name_ids: Sequence[int]) -> dict[int, str]:
        return self._read_view().spellings(name_ids)

    def file_symbols(self, path: str) -> list[Symbol]:
        """The definitions in `path`, in source order."""
        return q.file_symbols(self._reader(), os.path.abspath(path))

    def definitions(self, name: str) -> list[Symbol]:
        """Every definition named exactly `name`."""
        return q.symbols_named(self._reader(), name)

    def references(self, name: str) -> list[Reference]:
        """Every recorded reference (call, type use, import...) to the name `name`."""
        return q.references_named(self._reader(), name)

    def file_references(self, path: str) -> list[Reference]:
        return q.file_references(self._reader(), os.path.abspath(path))

    def all_symbols(self, limit: int | None = None) -> list[Symbol]:
        """Every symbol, by path then position (at most `limit`)."""
        return q.all_symbols(self._reader(), limit)

    def definition_sites(self, kinds: Sequence[str]) -> list[tuple[str, str]]:
        """Distinct (name, path) of the definitions of `kinds` (for reference graphs)."""
        return q.definition_sites(self._reader(), kinds)

    def reference_counts(self) -> list[tuple[str, str, int]]:
        """(path, name, uses): how often each file refers to each name."""
        return q.reference_counts(self._reader())

    def search(self, query: str, limit: int = 100) -> list[Symbol]:
        """Fuzzy symbol search: exact, prefix, word start, initials (`gUBI`), substring, fuzzy."""
        return [symbol for _, symbol in self.ranked_search(query, limit)]

    def ranked_search(self, query: str, limit: int = 100) -> list[tuple[RankKey, Symbol]]:
        """`search` with each symbol's rank key (comparable across indexes: lower is better).
        Names rank; each name's definitions follow in the order they were indexed."""
        # Each part's names come sorted on (key, name), lazily; merged, they give the order of
        # one index over all the names, and names are ranked only until the limit is filled.
        cache = self._read_view()
        cache.check()
        streams = [sorted_names(part.ranked_groups(query, limit)) for part in self._search_parts()]
        ranked = distinct_names(heapq.merge(*streams))
        found: list[tuple[RankKey, Symbol]] = []
        if self._store.bulk_loading:  # no name index yet
            names = list(ranked)
            batch = self._load_definitions([n for _, n in names], limit)
            for key, name_id in names:
                found += [(key, s) for s in batch[name_id][: limit - len(found)]]
                if len(found) >= limit:
                    break
            return found
        size = 8  # names per statement, growing: mostly the first few fill the limit
        while len(found) < limit and (names := list(islice(ranked, size))):
            size *= 4
            keys = {name_id: key for key, name_id in names}
            rows = cache.definitions(list(keys), limit - len(found))
            found += [(keys[name_id], symbol) for name_id, symbol in rows]
        return found[:limit]

    def _load_definitions(self, name_ids: list[int], limit: int) -> dict[int, list[Symbol]]:
        """During a bulk load: the definitions of each name, from the symbols the load has
        mapped by name (`indexer.load_names`), or else one scan of every symbol."""
        conn = self._reader()
        ids = self._load_names.definitions(conn, name_ids, limit)
        if ids is not None:
            wanted = [i for found in ids.values() for i in found]
            symbols = q.symbols_by_id(conn, wanted)
            # A symbol gone since it was mapped (a file stored again meanwhile, from an
            # editor): the map may have left out a later one, so it cannot say.
            if len(symbols) == len(wanted):
                return {name: [symbols[i] for i in found] for name, found in ids.items()}
        return q.symbols_of_names(conn, name_ids, limit)

    def search_version(self) -> tuple[int, int, int]:
        """Changes whenever `ranked_search` may answer differently (no database read, so an
        event loop can check it to reuse an answer). While a refresh writes, the search answers
        from the names of its last snapshot (`_search_parts`): so may a reused answer."""
        base, delta, generation = self._base, self._delta, self._generation
        if self._refreshing > 0:
            generation = delta.generation if delta is not None else -1
        return (id(self), base.last_symbol if base is not None else -1, generation)

    def search_index(self) -> SearchIndex | None:
        """Bring the search file up to date with the database (call off the event loop, after a
        refresh: the next search is then fast) and return it."""
        self._search_parts(sync=True)
        return self._base

    def rebuild_search(self) -> None:
        """Catch the search up with writes now (call off the event loop, after writes)."""
        self._search_parts(sync=True)

    def _search_parts(self, sync: bool = False) -> list[SearchIndex]:
        """The search file (mapped) plus an in-memory index of the names defined since it was
        written. A large backlog is never loaded: the file is rewritten instead, in a
        background thread while queries keep answering from the previous one (and the last
        small backlog), or here with `sync` (which also writes a first file)."""
        with self._search_lock:
            if not self._base_opened:
                self._base_opened = True
                self._base = self._open_base()
            base, delta, generation = self._base, self._delta, self._generation
            last = base.last_symbol if base else 0
            newest = q.last_symbol_id(self._reader())
            backlog = newest - last > DELTA_REBUILD or (sync and base is None and newest > 0)
            if not backlog and (delta is None or delta.generation != generation):
                if sync or self._refreshing == 0:
                    delta = self._delta = self._build_delta(last, generation)
                elif time.monotonic() - self._delta_built >= REFRESH_SEARCH_LAG_S:
                    self._start_delta(base, last, generation)
            if backlog and not sync:
                self._start_rebuild()
        if backlog and sync:
            self._rebuild_base()
            return self._search_parts()
        return [part for part in (base, delta) if part is not None]

    def _build_delta(self, last: int, generation: int) -> SearchIndex:
        self._delta_built = time.monotonic()
        return SearchIndex.build(q.names_since(self._reader(), last), generation)

    def _start_delta(self, base: SearchIndex | None, last: int, generation: int) -> None:
        """Rebuild the in-memory part in a background thread: while a refresh writes, a search
        answers from the previous one (at most REFRESH_SEARCH_LAG_S plus a build old) instead
        of building it after every batch (tens of milliseconds each, bench/busy_latency.py)."""
        if self._delta_rebuilding:
            return
        self._delta_rebuilding = True
        self._delta_built = time.monotonic()

        def rebuild() -> None:
            try:
                if self._closed:
                    return
                args = (str(self.db_path), last)
                built = in_child(delta_sections, *args) if self.offload else None
                delta = SearchIndex.from_sections(
                    built or delta_sections(*args),
                    self._spellings,
                    generation,
                )
                with self._search_lock:
                    if self._base is base:  # else the file was rewritten meanwhile
                        self._delta = delta
            except Exception:
                self._failed("could not update the search of %s", self.root)
            finally:
                self._delta_rebuilding = False

        threading.Thread(target=rebuild, name="search-delta", daemon=True).start()

    def _open_base(self) -> SearchIndex | None:
        base = SearchIndex.open(self._search_path, self._spellings)
        if base is not None and base.epoch != self._epoch:
            return None  # written for a database since deleted and rebuilt
        return base

    def _rebuild_base(self) -> None:
        with self._base_lock:  # one writer of the file at a time
            current = self._base
            if (
                current is not None
                and q.last_symbol_id(self._reader()) - current.last_symbol <= DELTA_REBUILD
            ):
                return  # another thread wrote it while this one waited for the lock
            args = (str(self.db_path), str(self._search_path), self._epoch)
            if self.offload:
                in_child(write_search_file, *args, self.niceness)
            else:
                write_search_file(*args)
            fresh = self._open_base()
            with self._search_lock:
                self._base, self._delta = fresh, None

    def _start_rebuild(self) -> None:
        if self._rebuilding:
            return
        self._rebuilding = True

        def rebuild() -> None:
            try:
                if not self._closed:
                    self._rebuild_base()
            except Exception:
                self._failed("could not rewrite the search file %s", self._search_path)
            finally:
                self._rebuilding = False

        threading.Thread(target=rebuild, name="search-rebuild", daemon=True).start()

    def stats(
        self, parsed: int = 0, removed: int = 0, skipped: int = 0, seconds: float = 0.0
    ) -> IndexStats:
        files, symbols, refs, languages = q.counts(self._reader())
        return IndexStats(files, symbols, refs, languages, parsed, removed, skipped, seconds)

    def indexed_paths(self) -> list[str]:
        return q.paths(self._reader())

    # -- writes ----------------------------------------------------------------------------
    def refresh(
        self,
        progress: Callable[[Progress], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> IndexStats:
        """Bring the index in line with the disk: parse new and changed files, drop deleted."""
        self._refreshing += 1
        try:
            return self._refresh(progress, cancel)
        finally:
            self._refreshing -= 1

    def _refresh(
        self,
        progress: Callable[[Progress], None] | None,
        cancel: threading.Event | None,
    ) -> IndexStats:
        started = time.perf_counter()
        with self._write_lock:
            first = not self._store.has_files()
        with ExitStack() as stack:
            # A cold load forks its pool before the scan: a forked worker's memory counts this
            # process's pages as its own, and the kernel's file list is 25 MB of them (twice
            # over in the peak of all processes).
            pool = self._early_pool(stack) if first else None
            return self._refresh_planned(progress, cancel, started, pool)

    def _refresh_planned(
        self,
        progress: Callable[[Progress], None] | None,
        cancel: threading.Event | None,
        started: float,
        pool: ProcessPoolExecutor | None,
    ) -> IndexStats:
        phases: list[tuple[str, float]] = []
        clock = time.perf_counter()

        def phase(name: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            phases.append((name, now - clock))
            clock = now

        tree = (self.root, self.excludes, self.max_file_size, self.limits, self._scan_record)
        plan = (
            in_child(plan_refresh, *tree, self.db_path)
            if self.offload
            else plan_refresh(*tree, self.db_path)
        )
        jobs, sizes, removed = plan.jobs, plan.sizes, plan.removed
        phase("scan")
        counter = _Counter(len(jobs), plan.skipped, progress)
        self._write(lambda store: store.remove_files(removed))
        bulk = plan.first and len(jobs) >= INLINE_LIMIT

        def end_bulk_load() -> float:
            with self._write_lock:
                started = time.perf_counter()
                self._store.end_bulk_load()  # a no-op if done already
                return time.perf_counter() - started

        beside: list[float] = []  # seconds of an index build beside the last batches

        if bulk:
            self._load_names = LoadNames()
            with self._write_lock:
                self._store.begin_bulk_load()
        checkpoint: threading.Thread | None = None
        try:
            try:
                if jobs:
                    self._run_jobs(
                        jobs, sizes, counter, cancel, plan.first, bulk,
                        lambda: beside.append(end_bulk_load()), pool,
                    )  # fmt: skip
            finally:
                if pool is not None:  # gone before the search file is written (memory, forks)
                    pool.shutdown()
                phase("parse and store")
                phases += [("of which indexes, beside the last batches", t) for t in beside]
                if bulk:
                    end_bulk_load()  # a no-op if the last batches already saw it
                    self._load_names = LoadNames()  # the name index answers from now on
                    phase("indexes")
                    # The load's last WAL frames (the new indexes, the last batches) are
                    # copied into the database while the search file is written, on the
                    # other core; the truncate after both then has nothing left to copy.
                    checkpoint = threading.Thread(
                        target=self._store.checkpoint, name="index-checkpoint"
                    )
                    checkpoint.start()
                # Batches the pool committed after an error or a cancel were not counted: make
                # the search catch up whatever happened.
                self._bump_generation()
            if counter.parsed or removed:
                self._search_parts(sync=True)  # the next open answers from an up-to-date file
                phase("search file")
        finally:
            if checkpoint is not None:
                checkpoint.join()
                with self._write_lock:
                    self._store.truncate_wal()
                phase("rest of the checkpoint")
        log.info(
            "indexed %s: %d parsed, %d removed, %d skipped",
            self.root,
            counter.parsed,
            len(removed),
            counter.skipped,
        )
        stats = self.stats(
            counter.parsed, len(removed), counter.skipped, time.perf_counter() - started
        )
        return dataclasses.replace(stats, capped=plan.capped, phases=tuple(phases))

    def _run_jobs(
        self,
        jobs: list[Job],
        sizes: dict[str, int],
        counter: _Counter,
        cancel: threading.Event | None,
        new: bool = False,
        bulk: bool = False,
        on_drain: Callable[[], None] | None = None,
        pool: ProcessPoolExecutor | None = None,
    ) -> None:
        if len(jobs) < INLINE_LIMIT or self.workers == 1:
            for job in jobs:
                _check(cancel)
                self._store_results([run_job(job)], counter, new)
            return
        queue = iter(batches(sorted(jobs, key=lambda j: -sizes[j[0]]), sizes))
        with ExitStack() as stack:
            if pool is None:
                pool = stack.enter_context(self._pool(mp_context(), bulk))
            # A bounded number of batches in flight: cancelling (or the interpreter exiting,
            # which waits for submitted work) then costs at most a few batches.
            pending: set[Future[list[tuple[str, str]]]] = set()
            drained = False
            try:
                while True:
                    room = self.workers * 2 - len(pending)
                    submitted = 0
                    for batch in islice(queue, room):
                        pending.add(pool.submit(run_batch, batch, new))
                        submitted += 1
                    if not pending:
                        break
                    if submitted < room and len(pending) < self.workers and not drained:
                        # Nothing left to hand out and a core is idle: build the indexes now,
                        # next to the last batches (which then insert into them), instead of
                        # after them on one core.
                        drained = True
                        if on_drain is not None:
                            on_drain()
                    done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
                    _check(cancel)
                    for future in done:
                        statuses = future.result()  # the worker has committed these rows
                        self._bump_generation()
                        self._record(statuses, counter)
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise

    def _pool(self, context: BaseContext, bulk: bool) -> ProcessPoolExecutor:
        initargs = (str(self.db_path), self.root, bulk, self.niceness, os.getpid())
        return ProcessPoolExecutor(self.workers, context, init_pool_worker, initargs)

    def _early_pool(self, stack: ExitStack) -> ProcessPoolExecutor | None:
        """A pool for a cold load, its workers forked now (a forkserver's are small anyway)."""
        context = mp_context()
        if self.workers == 1 or context.get_start_method() != "fork":
            return None
        pool = stack.enter_context(self._pool(context, bulk=True))
        pool.submit(os.getpid).result()  # a fork context starts every worker at the first task
        return pool

    def _store_results(self, results: list[Result], counter: _Counter, new: bool = False) -> None:
        self._write(lambda store: write_results(store, results, new))
        self._record([(path, status) for path, status, *_ in results], counter)

    def _record(self, statuses: list[tuple[str, str]], counter: _Counter) -> None:
        for path, status in statuses:  # outside the lock: a callback may use the index
            if status not in ("parsed", "same"):
                log.info("skipping %s: %s", path, status)
            counter.record(path, status)

    def _write(self, fn: Callable[[Store], None]) -> None:
        with self._write_lock:
            self._store.begin()
            try:
                fn(self._store)
            except BaseException:
                self._store.rollback()
                raise
            self._store.commit()
            self._bump_generation()

    def _bump_generation(self) -> None:
        with self._generation_lock:
            self._generation += 1

    def update_file(self, path: str, source: bytes | None = None) -> FileSymbols | None:
        """Re-index one file from `source` (an open buffer) or from disk; None if not indexable."""
        from indexer.extract import extract_source
        from indexer.languages import spec_for_path

        path = os.path.abspath(path)
        spec = spec_for_path(path)
        if spec is None:
            return None
        if not self.includes(path):  # ignored, excluded or too big: keep it out of the index
            self.remove_file(path)
            return None
        if source is None:
            result = run_job((path, spec.name, ""))
            self._store_results([result], _Counter(1, 0, None))
            return self._file_result(path, spec.name, result)
        symbols, refs, errors = extract_source(source, spec.name)
        self.store_extraction(path, spec.name, source, symbols, refs, errors)
        return to_file_symbols(path, spec.name, symbols, refs, errors)

    def includes(self, path: str) -> bool:
        """Whether a refresh would index `path` (ignore files, excludes, size limit)."""
        return included(self.root, path, self.excludes, self.max_file_size)

    def store_extraction(self, path, language, source: bytes, symbols, refs, has_errors) -> None:
        """Store rows extracted elsewhere (an open document's incremental update)."""
        if not self.includes(path):
            return
        try:
            st = os.stat(path)
            stat = (st.st_size, st.st_mtime_ns)
        except OSError:
            stat = (0, 0)  # unsaved buffer: the next refresh re-reads the disk
        # The buffer may differ from disk: record the disk stat but the buffer's hash, so the
        # next refresh sees a hash mismatch only if the disk content really differs.
        digest = content_hash(source)
        self._write(
            lambda s: s.replace_file(path, language, stat, digest, has_errors, symbols, refs)
        )

    def _file_result(self, path: str, language: str, result: Result) -> FileSymbols | None:
        _, status, _, _, _, errors, symbols, refs = result
        if status != "parsed":
            return None
        return to_file_symbols(path, language, symbols, refs, errors)

    def remove_file(self, path: str) -> None:
        self._write(lambda s: s.remove_files([os.path.abspath(path)]))

    def remove_tree(self, path: str) -> None:
        """Drop `path` and, if it was a directory, every indexed file under it."""
        path = os.path.abspath(path)
        prefix = path.rstrip(os.sep) + os.sep
        gone = [p for p in self.indexed_paths() if p == path or p.startswith(prefix)]
        self._write(lambda s: s.remove_files(gone))

    def file_hash(self, path: str) -> str | None:
        """The content hash stored for `path` (None if not indexed)."""
        return q.file_hash(self._reader(), os.path.abspath(path))

    def has_file(self, path: str) -> bool:
        return q.has_file(self._reader(), os.path.abspath(path))

    def close(self) -> None:
        self._closed = True
        self._store.close()

    def _failed(self, message: str, *args: object) -> None:
        """A background search thread's failure: an error, unless the index was closed
        meanwhile (its database may be gone with its folder: nothing is lost)."""
        if self._closed:
            log.debug(message + " (index closed)", *args, exc_info=True)
        else:
            log.exception(message, *args)


def _check(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled


class _Counter:
    def __init__(
        self, total: int, skipped: int, progress: Callable[[Progress], None] | None
    ) -> None:
        self.total, self.done, self.parsed, self.skipped = total, 0, 0, skipped
        self.progress = progress

    def record(self, path: str, status: str) -> None:
        self.done += 1
        if status == "parsed":
            self.parsed += 1
        elif status != "same":
            self.skipped += 1
        if self.progress is not None:
            self.progress(Progress(self.done, self.total, path))
