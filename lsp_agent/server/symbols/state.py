"""The server's side of the index: one WorkspaceIndex per folder, open buffers, and the
background work that keeps both in step with edits and the disk.

Open buffers are parsed lazily: while a buffer still matches what the index stored for its
file, its symbols come from the index; a buffer that differs when opened, its first edit (or a
request the index cannot answer) parses it and keeps its tree for incremental reparsing until
it is closed. Parsed buffers answer for their files everywhere, workspace/symbol included.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from lsprotocol import types

from lsp_agent import paths
from lsp_agent.server.symbols.convert import Converter, byte_offset, to_path
from lsp_agent.server.symbols.progress import IndexProgress

if TYPE_CHECKING:
    from indexer.documents import OpenDocument
    from indexer.model import Reference, Symbol
    from indexer.multiroot import MultiRootIndex
    from indexer.workspace import WorkspaceIndex
    from lsp_agent.server.app import AgentServer
    from lsp_agent.server.documents import DocumentEvent

logger = logging.getLogger(__name__)

T = TypeVar("T")
STORE_DELAY = 0.5
# The index workers' extra nice value: on a busy machine the editor's requests (this process)
# get the CPU before a cold index does (bench/busy_latency.py).
BACKGROUND_NICENESS = 10  # seconds of quiet after an edit before the buffer's symbols are stored


class ServerIndex:
    """The server's handle on the index: one WorkspaceIndex per folder, plus open documents."""

    def __init__(self, server: AgentServer) -> None:
        self.server = server
        self.indexes: list[WorkspaceIndex] = []
        self.buffers: dict[str, bytes] = {}  # every open buffer's text, by path
        self.docs: dict[str, OpenDocument] = {}  # the parsed ones (edited, or not indexed)
        self.cancel = threading.Event()
        self.ready = asyncio.Event()
        # Set once the build has opened its folders' databases (long before `ready` on a warm
        # start), or when there is nothing to index: a search waits for this, then answers
        # from what the databases hold.
        self.opened = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._store_handles: dict[str, asyncio.TimerHandle] = {}
        self._config: tuple[Any, ...] | None = None
        self._background: set[asyncio.Future[Any]] = set()

    # -- lifecycle -------------------------------------------------------------------------
    def folders(self) -> list[str]:
        folders = [to_path(f.uri) for f in self.server.workspace.folders.values()]
        found = [f for f in folders if f]
        root = self.server.workspace.root_path
        return found or ([root] if root else [])

    def start(self) -> None:
        """(Re)build the indexes for the current folders and settings, in the background."""
        settings = self.server.settings.index
        config = (
            tuple(self.folders()),
            tuple(settings.exclude),
            settings.maxFileSize,
            settings.enabled,
            settings.maxFiles,
            settings.maxTotalSize,
        )
        if config == self._config:
            return
        previous, self._config = self._config, config
        # Only a build that finished well is kept; after a failed one everything starts again.
        settled = self._task is not None and self._task.done() and self.ready.is_set()
        if previous is not None and previous[1:] == config[1:] and config[3] and settled:
            self._change_folders(config[0], settings.exclude, settings.maxFileSize)
            return
        self.stop()
        if not settings.enabled or not config[0]:
            self.opened.set()  # nothing to open: searches answer (with nothing) at once
            logger.info(
                "symbol index disabled" if not settings.enabled else "no workspace folder to index"
            )
            return
        self.cancel = threading.Event()
        self.ready = asyncio.Event()
        if self.opened.is_set():  # else a search may be waiting on it: this build sets it
            self.opened = asyncio.Event()
        self._task = asyncio.ensure_future(
            self._build(config[0], settings.exclude, settings.maxFileSize)
        )

    def _change_folders(self, folders: Sequence[str], exclude: list[str], max_size: int) -> None:
        """Folders added to or removed from the workspace: index the new ones, close the
        removed ones, and keep answering from the others meanwhile."""
        wanted = {os.path.abspath(f) for f in folders}
        kept = [index for index in self.indexes if index.root in wanted]
        for index in self.indexes:
            if index not in kept:
                index.close()
        self.indexes = kept  # a new list: the finished build holds the old one
        have = {index.root for index in kept}
        added = [f for f in folders if os.path.abspath(f) not in have]
        logger.info("workspace folders changed: %d added, %d kept", len(added), len(kept))
        if added:
            self._task = asyncio.ensure_future(self._build(added, exclude, max_size))

    def stop(self) -> None:
        """Cancel the running build (it closes its own indexes on the way out)."""
        self.cancel.set()
        if self._task is None or self._task.done():
            for index in self.indexes:
                index.close()
        self.indexes = []

    async def _build(self, folders: Sequence[str], exclude: list[str], max_size: int) -> None:
        from indexer.scan import ScanLimits
        from indexer.workspace import Cancelled, WorkspaceIndex

        settings = self.server.settings.index
        limits = ScanLimits(settings.maxFiles, settings.maxTotalSize)
        cancel, mine, opened = self.cancel, self.indexes, self.opened
        try:
            new = [
                WorkspaceIndex(
                    folder,
                    paths.cache_dir(),
                    excludes=exclude,
                    max_file_size=max_size,
                    niceness=BACKGROUND_NICENESS,
                    limits=limits,
                    offload=True,
                )
                for folder in folders
            ]
            mine += new
            opened.set()
            for index in new:
                await self._refresh(index, cancel)
            self._warm_up()
            self.ready.set()
        except Cancelled:
            logger.info("indexing cancelled")
        except Exception:
            logger.exception("indexing failed")
        finally:
            opened.set()  # nobody waits for a build that failed to open
            if cancel.is_set():  # replaced or stopped while running: nobody else has these
                for index in mine:
                    index.close()

    async def _refresh(self, index: WorkspaceIndex, cancel: threading.Event) -> None:
        progress = await IndexProgress.start(self.server, index.root, cancel)
        try:
            stats = await in_daemon_thread(index.refresh, progress.from_thread, cancel)
            await in_daemon_thread(index.search_index)  # first workspace/symbol is then fast
        except asyncio.CancelledError:
            raise  # the server is going away: nobody to tell
        except BaseException:
            progress.end(None)
            raise
        progress.end(stats)
        if stats.capped:
            message = f"lsp-agent: the index of {index.root} is incomplete: {stats.capped}."
            logger.warning(message)
            self.server.window_show_message(
                types.ShowMessageParams(type=types.MessageType.Warning, message=message)
            )
        logger.info(
            "index ready: %s: %d files, %d symbols (%d parsed) in %.2f s",
            index.root, stats.files, stats.symbols, stats.parsed, stats.seconds,
        )  # fmt: skip

    def _warm_up(self) -> None:
        """Run the documentSymbol path once while idle: its first run pays one-time costs
        (the main thread's SQLite connection, imports) that a user would otherwise feel.
        Then move the long-lived objects out of the garbage collector's way."""
        from lsp_agent.server.symbols.convert import document_symbols

        for index in self.indexes:
            paths_ = index.indexed_paths()
            if paths_:
                document_symbols(self.file_symbols(paths_[0]), self.converter())
                break
        # What exists now (modules, settings, the search snapshot) lives as long as the server.
        # Frozen, it is no longer re-scanned by every full collection: without this, a request
        # that happened to trigger one paid 20-40 ms (measured on documentSymbol).
        gc.collect()
        gc.freeze()

    async def wait_opened(self) -> None:
        """Until the build has opened its databases (or indexing turned out to be off). A
        request can arrive before the `initialized` handler has started the build."""
        await self.opened.wait()

    def index_for(self, path: str) -> WorkspaceIndex | None:
        return self.roots.index_for(path)

    # -- what the agent's symbol tools read (every folder, open buffers included) ----------
    @property
    def roots(self) -> MultiRootIndex:
        from indexer.multiroot import MultiRootIndex

        return MultiRootIndex(self.indexes)

    def search(self, query: str, limit: int = 100) -> list[Symbol]:
        """Fuzzy search over every folder, with each parsed buffer's own symbols in place of
        what the index holds for its file (it may hold the disk's, or an older edit's)."""
        docs = list(self.docs.values())
        if not docs:
            return self.roots.search(query, limit)
        from indexer.documents import subsequence_filter
        from indexer.search import SearchIndex

        # Only names holding the query's bytes in order can rank (every tier needs that):
        # the others are left out before any `Symbol` is built for them.
        raw = query.strip().replace("\n", " ").encode("utf-8", "surrogateescape").lower()
        matching = subsequence_filter(raw)
        buffers = [s for doc in docs for s in doc.symbols_matching(matching)]
        paths = {doc.path for doc in docs}
        # What the index holds for the buffers' files is dropped, so ask for more only when
        # some of it was among the best (asking for every buffer symbol more each time made
        # the index rank and read hundreds of names for nothing).
        wanted = limit
        while True:
            stored = self.roots.search(query, wanted)
            kept = [s for s in stored if s.path not in paths]
            if len(kept) >= limit or len(stored) < wanted:
                break
            wanted += limit - len(kept)
        candidates = kept + buffers
        # Ranked together, as one index would rank them.
        merged = SearchIndex.build(list(enumerate(s.name for s in candidates)))
        return [candidates[i] for i in merged.search(query, limit)]

    def search_key(self, query: str, limit: int) -> tuple[object, ...]:
        """What a search's answer depends on (`answers.RecentAnswers`): read on the event loop,
        no database read. A bytes object caches its hash, so a buffer is hashed once."""
        texts = {**self.buffers, **{path: doc.source for path, doc in self.docs.items()}}
        return (
            query,
            limit,
            tuple(index.search_version() for index in self.indexes),
            tuple(sorted((path, len(text), hash(text)) for path, text in texts.items())),
        )

    def definitions(self, name: str) -> list[Symbol]:
        return self.roots.definitions(name)

    def references(self, name: str) -> list[Reference]:
        """Every recorded use of `name` (the LSP tool's findReferences, call hierarchies), with
        each parsed buffer's own uses in place of what the index holds for its file."""
        from indexer.extract import reference_from_row

        docs = list(self.docs.values())
        stored = self.roots.references(name)
        if not docs:
            return stored
        paths = {doc.path for doc in docs}
        own = [reference_from_row(d.path, row) for d in docs for row in d.refs if row[0] == name]
        return [r for r in stored if r.path not in paths] + own

    def file_references(self, path: str) -> list[Reference]:
        doc = self.docs.get(path)
        if doc is None:
            return self.roots.file_references(path)
        from indexer.extract import reference_from_row

        return [reference_from_row(path, row) for row in doc.refs]

    # -- sources ---------------------------------------------------------------------------
    def source(self, path: str) -> bytes:
        doc = self.docs.get(path)
        if doc is not None:
            return doc.source
        if path in self.buffers:
            return self.buffers[path]
        try:
            with open(path, "rb") as f:
                return f.read()
        except OSError:
            return b""

    def converter(self) -> Converter:
        return Converter(self.server.workspace.position_codec, self.source)

    def file_symbols(self, path: str) -> list[Symbol]:
        doc = self.docs.get(path)
        if doc is not None:
            return doc.symbols()
        from indexer.store import content_hash

        index = self.index_for(path)
        buffer = self.buffers.get(path)
        if index is not None and buffer is None and index.has_file(path):
            return index.file_symbols(path)
        if (
            index is not None
            and buffer is not None
            and index.file_hash(path) == content_hash(buffer)
        ):
            return index.file_symbols(path)  # the buffer is what the index stored
        if buffer is not None:
            parsed = self._parse(path)
            return parsed.symbols() if parsed else []
        from indexer.extract import extract_file
        from indexer.languages import spec_for_path

        if spec_for_path(path) is None:
            return []
        return list(extract_file(path, self.source(path)).symbols)

    def _parse(self, path: str) -> OpenDocument | None:
        from indexer.documents import OpenDocument

        doc = OpenDocument.open(path, self.buffers[path])
        if doc is not None:
            self.docs[path] = doc
        return doc

    def context_text(self, path: Any, line: int) -> str:
        """For the code-action context: enclosing symbols and what they use, at `line`."""
        from indexer.context import context_text

        path = str(path)
        index = self.index_for(path)
        if index is None:
            return ""
        return context_text(index, path, (line, 0), self.buffers.get(path))

    # -- buffers ---------------------------------------------------------------------------
    def on_document(self, event: DocumentEvent) -> None:
        path = to_path(event.uri)
        if path is None:
            return
        if event.kind == "open":
            self._open(event.uri, path)
        elif event.kind == "change":
            self._change(event.uri, path, event.params)
        elif event.kind == "save":
            self._schedule_store(path, 0)
        elif event.kind == "close":
            self.docs.pop(path, None)
            self.buffers.pop(path, None)
            self._refresh_paths([path])  # back to the disk's truth

    def _open(self, uri: str, path: str) -> None:
        from indexer.store import content_hash

        text = self.server.documents.text(uri)
        if text is None:
            return
        source = self.buffers[path] = text.encode("utf-8", "surrogateescape")
        index = self.index_for(path)
        # A buffer that differs from what the index stored (unsaved text, or a file changed
        # since) is the truth for its file from now on, as after an edit.
        differs = index is not None and index.file_hash(path) != content_hash(source)
        if differs and self._parse(path) is not None:
            self._schedule_store(path, 0)

    def _change(self, uri: str, path: str, params: Any) -> None:
        text = self.server.documents.text(uri)
        if text is None or path not in self.buffers:
            return
        doc = self.docs.get(path) or self._parse(path)  # parsed from the text before the edit
        if doc is None:
            self.buffers[path] = text.encode("utf-8", "surrogateescape")
            return
        codec = self.server.workspace.position_codec
        for change in params.content_changes:
            if isinstance(change, types.TextDocumentContentChangePartial):
                start = byte_offset(doc.source, change.range.start, codec)
                end = byte_offset(doc.source, change.range.end, codec)
                doc.edit(start, end, change.text.encode("utf-8", "surrogateescape"))
            else:
                doc.replace(change.text.encode("utf-8", "surrogateescape"))
        doc.reparse()
        expected = text.encode("utf-8", "surrogateescape")
        if doc.source != expected:  # our byte mirror drifted from pygls's text: resync
            logger.warning("resynchronising %s after an edit", path)
            doc.replace(expected)
        self.buffers[path] = doc.source
        self._schedule_store(path, STORE_DELAY)

    def _schedule_store(self, path: str, delay: float) -> None:
        handle = self._store_handles.pop(path, None)
        if handle is not None:
            handle.cancel()
        loop = asyncio.get_running_loop()
        self._store_handles[path] = loop.call_later(delay, self._store_doc, path)

    def _store_doc(self, path: str) -> None:
        self._store_handles.pop(path, None)
        doc, index = self.docs.get(path), self.index_for(path)
        if doc is None or index is None:
            return
        rows, refs, errors, source = list(doc.rows), list(doc.refs), doc.has_errors, doc.source
        self.background(
            asyncio.to_thread(
                _store_and_rebuild, index, path, doc.language, source, rows, refs, errors
            )
        )

    # -- the disk --------------------------------------------------------------------------
    def on_watched(self, changes: Iterable[types.FileEvent]) -> None:
        if any((to_path(c.uri) or "").endswith((".gitignore", ".ignore")) for c in changes):
            self._config = None  # ignore rules changed: a full (warm) refresh
            self.start()
            return
        changed: list[str] = []
        deleted: list[str] = []
        for change in changes:
            path = to_path(change.uri)
            if path is None or path in self.buffers:
                continue  # an open buffer is the truth for its file
            (deleted if change.type == types.FileChangeType.Deleted else changed).append(path)
        for path in deleted:
            index = self.index_for(path)
            if index is not None:
                index.remove_tree(path)  # a deleted directory takes its files with it
        self._refresh_paths(changed)

    def _refresh_paths(self, paths_: list[str]) -> None:
        from indexer.languages import spec_for_path

        wanted = [(p, ix) for p in paths_ if spec_for_path(p) and (ix := self.index_for(p))]
        if wanted:
            self.background(asyncio.to_thread(_update_files, wanted))

    def background(self, work: Any) -> None:
        """Run a coroutine without waiting for it, keeping it referenced until done."""
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)


def in_daemon_thread(fn: Callable[..., T], *args: Any) -> asyncio.Future[T]:
    """Run `fn` in a daemon thread: unlike `asyncio.to_thread`, a long refresh never holds up
    the process's exit (the pool's workers finish their current batch and stop)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(result: Any, error: BaseException | None) -> None:
        if future.done():
            return
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)

    def run() -> None:
        try:
            result = fn(*args)
        except BaseException as exc:
            loop.call_soon_threadsafe(settle, None, exc)
        else:
            loop.call_soon_threadsafe(settle, result, None)

    threading.Thread(target=run, name=f"index-{fn.__name__}", daemon=True).start()
    return future


def _update_files(wanted: list[tuple[str, WorkspaceIndex]]) -> None:
    for path, index in wanted:
        if os.path.isfile(path):
            index.update_file(path)
        else:
            index.remove_file(path)
    for index in {id(ix): ix for _, ix in wanted}.values():
        index.rebuild_search()
    logger.info("index updated %d file(s)", len(wanted))


def _store_and_rebuild(index: WorkspaceIndex, *args: Any) -> None:
    index.store_extraction(*args)
    index.rebuild_search()
