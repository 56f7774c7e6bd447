"""Symbol features over the tree-sitter index: documentSymbol, workspace/symbol, definition,
references, indexing progress, and keeping the index in step with buffers and the disk.

The index itself (`indexer`) knows nothing of LSP; this module converts. Positions go through
pygls's position codec (byte column -> code points -> client units); ASCII prefixes, where
every encoding agrees, skip it. Indexing runs in a worker thread (which drives a process pool)
and reads use their own SQLite connections, so no handler waits for indexing.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls import uris
from pygls.workspace.position_codec import ServerTextPosition

from lsp_agent import paths

if TYPE_CHECKING:
    from indexer.documents import OpenDocument
    from indexer.model import Point, Reference, Span, Symbol
    from indexer.workspace import Progress, WorkspaceIndex
    from lsp_agent.server.app import AgentServer
    from lsp_agent.server.documents import DocumentEvent

logger = logging.getLogger(__name__)

WORKSPACE_SYMBOL_LIMIT = 100
STORE_DELAY = 0.5  # seconds of quiet after an edit before the buffer's symbols are stored
WATCHER_ID = "lsp-agent-index-watcher"

KINDS = {
    "class": types.SymbolKind.Class,
    "struct": types.SymbolKind.Struct,
    "interface": types.SymbolKind.Interface,
    "enum": types.SymbolKind.Enum,
    "enummember": types.SymbolKind.EnumMember,
    "type": types.SymbolKind.TypeParameter,
    "function": types.SymbolKind.Function,
    "method": types.SymbolKind.Method,
    "constructor": types.SymbolKind.Constructor,
    "field": types.SymbolKind.Field,
    "variable": types.SymbolKind.Variable,
    "constant": types.SymbolKind.Constant,
    "module": types.SymbolKind.Module,
    "namespace": types.SymbolKind.Namespace,
    "impl": types.SymbolKind.Object,
    "macro": types.SymbolKind.Function,
}


def to_path(uri: str) -> str | None:
    return uris.to_fs_path(uri)


def to_uri(path: str) -> str:
    return uris.from_fs_path(path) or f"file://{path}"


class Lines:
    """Source lines by number, for position conversion: open buffers first, then the disk."""

    def __init__(self, index: ServerIndex) -> None:
        self.index = index
        self.cache: dict[str, list[bytes]] = {}

    def line(self, path: str, number: int) -> bytes:
        lines = self.cache.get(path)
        if lines is None:
            lines = self.cache[path] = self.index.source(path).split(b"\n")
        return lines[number] if number < len(lines) else b""


class ServerIndex:
    """The server's handle on the index: one WorkspaceIndex per folder, plus open documents."""

    def __init__(self, server: AgentServer) -> None:
        self.server = server
        self.indexes: list[WorkspaceIndex] = []
        self.docs: dict[str, OpenDocument] = {}  # by path
        self.cancel = threading.Event()
        self.ready = asyncio.Event()
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
        )
        if config == self._config:
            return
        self._config = config
        self.stop()
        if not settings.enabled or not config[0]:
            logger.info(
                "symbol index disabled" if not settings.enabled else "no workspace folder to index"
            )
            return
        self.cancel = threading.Event()
        self.ready = asyncio.Event()
        self._task = asyncio.ensure_future(
            self._build(config[0], settings.exclude, settings.maxFileSize)
        )

    def stop(self) -> None:
        self.cancel.set()
        if self._task is not None:
            self._task.cancel()
        for index in self.indexes:
            index.close()
        self.indexes = []

    async def _build(self, folders: Sequence[str], exclude: list[str], max_size: int) -> None:
        from indexer.workspace import Cancelled, WorkspaceIndex

        cancel = self.cancel
        for folder in folders:
            index = WorkspaceIndex(
                folder, paths.cache_dir(), excludes=exclude, max_file_size=max_size
            )
            self.indexes.append(index)
            try:
                await self._refresh(index, cancel)
            except Cancelled:
                logger.info("indexing %s cancelled", folder)
                return
            except Exception:
                logger.exception("indexing %s failed", folder)
        self.ready.set()

    async def _refresh(self, index: WorkspaceIndex, cancel: threading.Event) -> None:
        progress = await IndexProgress.start(self.server, index.root, cancel)
        stats = None
        try:
            stats = await asyncio.to_thread(index.refresh, progress.from_thread, cancel)
            await asyncio.to_thread(index.search_index)  # first workspace/symbol is then fast
        finally:
            progress.end(stats)
        logger.info(
            "index ready: %s: %d files, %d symbols (%d parsed) in %.2f s",
            index.root, stats.files, stats.symbols, stats.parsed, stats.seconds,
        )  # fmt: skip

    def index_for(self, path: str) -> WorkspaceIndex | None:
        inside = [
            index
            for index in self.indexes
            if path == index.root or path.startswith(index.root.rstrip(os.sep) + os.sep)
        ]
        return max(inside, key=lambda index: len(index.root), default=None)  # innermost root

    # -- sources ---------------------------------------------------------------------------
    def source(self, path: str) -> bytes:
        doc = self.docs.get(path)
        if doc is not None:
            return doc.source
        try:
            with open(path, "rb") as f:
                return f.read()
        except OSError:
            return b""

    def file_symbols(self, path: str) -> list[Symbol]:
        doc = self.docs.get(path)
        if doc is not None:
            return doc.symbols()
        index = self.index_for(path)
        if index is not None and index.has_file(path):
            return index.file_symbols(path)
        from indexer.extract import extract_file
        from indexer.languages import spec_for_path

        if spec_for_path(path) is None:
            return []
        return list(extract_file(path, self.source(path)).symbols)

    def context_text(self, path: Any, line: int) -> str:
        """For the code-action context: enclosing symbols and what they use, at `line`."""
        from indexer.context import context_text

        path = str(path)
        index = self.index_for(path)
        if index is None:
            return ""
        doc = self.docs.get(path)
        return context_text(index, path, (line, 0), doc.source if doc else None)

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
            self._refresh_paths([path])  # back to the disk's truth

    def _open(self, uri: str, path: str) -> None:
        from indexer.documents import OpenDocument

        text = self.server.documents.text(uri)
        if text is None:
            return
        doc = OpenDocument.open(path, text.encode("utf-8", "surrogateescape"))
        if doc is not None:
            self.docs[path] = doc

    def _change(self, uri: str, path: str, params: Any) -> None:
        doc = self.docs.get(path)
        text = self.server.documents.text(uri)
        if doc is None or text is None:
            return
        codec = self.server.workspace.position_codec
        for change in params.content_changes:
            if isinstance(change, types.TextDocumentContentChangePartial):
                start = _byte_offset(doc.source, change.range.start, codec)
                end = _byte_offset(doc.source, change.range.end, codec)
                doc.edit(start, end, change.text.encode("utf-8", "surrogateescape"))
            else:
                doc.replace(change.text.encode("utf-8", "surrogateescape"))
        doc.reparse()
        expected = text.encode("utf-8", "surrogateescape")
        if doc.source != expected:  # our byte mirror drifted from pygls's text: resync
            logger.warning("resynchronising %s after an edit", path)
            doc.replace(expected)
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
            if path is None or path in self.docs:
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


def _byte_offset(source: bytes, position: types.Position, codec: Any) -> int:
    """Client position -> byte offset in `source` (via code points, with pygls's codec)."""
    start = 0
    for _ in range(position.line):
        nxt = source.find(b"\n", start)
        if nxt < 0:
            return len(source)
        start = nxt + 1
        end = source.find(b"\n", start)
    end = source.find(b"\n", start)
    line = source[start : end if end >= 0 else len(source)]
    if line.isascii():
        return start + min(position.character, len(line))
    text = line.decode("utf-8", "surrogateescape")
    point = codec.position_from_client_units([text], types.Position(0, position.character))
    return start + len(text[: point.character].encode("utf-8", "surrogateescape"))


class IndexProgress:
    """Work-done progress for one refresh: percentage and file counts, cancellable."""

    def __init__(self, server: AgentServer, token: str | None, cancel: threading.Event) -> None:
        self.server, self.token, self.cancel = server, token, cancel
        self.loop = asyncio.get_running_loop()
        self.percent = -1

    @classmethod
    async def start(cls, server: AgentServer, root: str, cancel: threading.Event) -> IndexProgress:
        window = server.client_capabilities.window
        if not (window and window.work_done_progress):
            return cls(server, None, cancel)
        token = f"lsp-agent-index-{uuid.uuid4()}"
        try:
            await server.work_done_progress.create_async(token)
        except Exception as exc:
            logger.warning("no indexing progress: %s", exc)
            return cls(server, None, cancel)
        begin = types.WorkDoneProgressBegin(
            title="Indexing symbols", message=os.path.basename(root), percentage=0, cancellable=True
        )
        server.work_done_progress.begin(token, begin)
        server.work_done_progress.tokens[token].add_done_callback(lambda _: cancel.set())
        return cls(server, token, cancel)

    def from_thread(self, progress: Progress) -> None:
        percent = progress.done * 100 // max(progress.total, 1)
        if self.token is None or percent == self.percent:
            return
        self.percent = percent
        message = f"{progress.done}/{progress.total} files"
        report = types.WorkDoneProgressReport(message=message, percentage=percent)
        self.loop.call_soon_threadsafe(self.server.work_done_progress.report, self.token, report)

    def end(self, stats: Any) -> None:
        if self.token is None:
            return
        message = f"{stats.files} files, {stats.symbols} symbols" if stats else "stopped"
        self.server.work_done_progress.end(self.token, types.WorkDoneProgressEnd(message=message))


# -- conversion ------------------------------------------------------------------------------
class Converter:
    def __init__(self, server: AgentServer, index: ServerIndex) -> None:
        self.codec = server.workspace.position_codec
        self.lines = Lines(index)

    def position(self, path: str, point: Point) -> types.Position:
        line, col = point
        raw = self.lines.line(path, line)[:col]
        if raw.isascii():  # every encoding counts ASCII the same
            return types.Position(line, col)
        text = raw.decode("utf-8", "replace")
        client = self.codec.position_to_client_units([text], ServerTextPosition(0, len(text)))
        return types.Position(line, client.character)

    def range(self, path: str, span: Span) -> types.Range:
        return types.Range(self.position(path, span.start), self.position(path, span.end))

    def location(self, path: str, span: Span) -> types.Location:
        return types.Location(to_uri(path), self.range(path, span))


def document_symbols(symbols: Sequence[Symbol], conv: Converter) -> list[types.DocumentSymbol]:
    """Nest by range: each symbol goes under the innermost earlier symbol that contains it."""
    roots: list[types.DocumentSymbol] = []
    stack: list[tuple[int, types.DocumentSymbol]] = []
    for s in sorted(symbols, key=lambda s: (s.range.start_byte, -s.range.end_byte)):
        node = types.DocumentSymbol(
            name=s.name,
            kind=KINDS.get(s.kind, types.SymbolKind.Variable),
            range=conv.range(s.path, s.range),
            selection_range=conv.range(s.path, s.selection),
            detail=s.signature,
            children=[],
        )
        while stack and stack[-1][0] <= s.range.start_byte:
            stack.pop()
        (stack[-1][1].children if stack else roots).append(node)  # type: ignore[union-attr]
        stack.append((s.range.end_byte, node))
    return roots


def symbol_information(symbol: Symbol, conv: Converter) -> types.SymbolInformation:
    return types.SymbolInformation(
        name=symbol.name,
        kind=KINDS.get(symbol.kind, types.SymbolKind.Variable),
        location=conv.location(symbol.path, symbol.selection),
        container_name=symbol.container or None,
    )


def register(server: AgentServer) -> None:
    state = ServerIndex(server)
    server.index = state
    server.documents.subscribe(state.on_document)
    server.on_settings_changed(lambda _: state.start() if state._config is not None else None)
    _after_initialized(server, lambda: _initialized(server, state))

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def document_symbol(
        ls: AgentServer, params: types.DocumentSymbolParams
    ) -> list[types.DocumentSymbol]:
        path = to_path(params.text_document.uri)
        if path is None:
            return []
        return document_symbols(state.file_symbols(path), Converter(ls, state))

    @server.feature(types.WORKSPACE_SYMBOL)
    async def workspace_symbol(
        ls: AgentServer, params: types.WorkspaceSymbolParams
    ) -> list[types.SymbolInformation]:
        found: list[Symbol] = []
        for index in list(state.indexes):
            found += await asyncio.to_thread(index.search, params.query, WORKSPACE_SYMBOL_LIMIT)
        conv = Converter(ls, state)
        return [symbol_information(s, conv) for s in found[:WORKSPACE_SYMBOL_LIMIT]]

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    def definition(ls: AgentServer, params: types.DefinitionParams) -> list[types.Location]:
        from indexer.navigate import find_definitions

        found = _name_at(ls, state, params.text_document.uri, params.position)
        if found is None:
            return []
        path, name, offset, index = found
        doc = state.docs.get(path)
        symbols = doc.symbols() if doc else None
        conv = Converter(ls, state)
        if index is None:
            local = [s for s in state.file_symbols(path) if s.name == name]
            return [conv.location(s.path, s.selection) for s in local]
        return [
            conv.location(s.path, s.selection)
            for s in find_definitions(index, path, name, offset, symbols)
        ]

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    def references(ls: AgentServer, params: types.ReferenceParams) -> list[types.Location]:
        found = _name_at(ls, state, params.text_document.uri, params.position)
        if found is None:
            return []
        _, name, _, index = found
        if index is None:
            return []
        conv = Converter(ls, state)
        spans = _reference_spans(state, index, name, params.context.include_declaration)
        return [conv.location(p, span) for p, span in spans]

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched(ls: AgentServer, params: types.DidChangeWatchedFilesParams) -> None:
        state.on_watched(params.changes)


def _name_at(
    ls: AgentServer, state: ServerIndex, uri: str, position: types.Position
) -> tuple[str, str, int, WorkspaceIndex | None] | None:
    from indexer.navigate import word_at

    path = to_path(uri)
    if path is None:
        return None
    source = state.source(path)
    offset = _byte_offset(source, position, ls.workspace.position_codec)
    line_start = source.rfind(b"\n", 0, offset) + 1
    word = word_at(source, (position.line, offset - line_start))
    if word is None:
        return None
    return path, word[0], offset, state.index_for(path)


def _reference_spans(
    state: ServerIndex, index: WorkspaceIndex, name: str, with_declarations: bool
) -> list[tuple[str, Span]]:
    """Stored references, with open buffers' own references in place of their files'."""
    refs: list[Reference] = [r for r in index.references(name) if r.path not in state.docs]
    for doc in state.docs.values():
        refs += [r for r in doc.file_symbols().references if r.name == name]
    spans = [(r.path, r.selection) for r in refs]
    if with_declarations:
        decls = [s for s in index.definitions(name) if s.path not in state.docs]
        decls += [s for doc in state.docs.values() for s in doc.symbols() if s.name == name]
        spans = [(s.path, s.selection) for s in decls] + spans
    return spans


async def _initialized(server: AgentServer, state: ServerIndex) -> None:
    state.start()
    await _register_watchers(server)


async def _register_watchers(server: AgentServer) -> None:
    from indexer.languages import BY_EXTENSION

    workspace = server.client_capabilities.workspace
    watched = workspace.did_change_watched_files if workspace else None
    if not (watched and watched.dynamic_registration):
        return
    extensions = ",".join(sorted(ext.lstrip(".") for ext in BY_EXTENSION))
    watchers = [
        types.FileSystemWatcher(glob_pattern=f"**/*.{{{extensions}}}"),
        types.FileSystemWatcher(glob_pattern="**/{.gitignore,.ignore}"),
        # A deleted folder arrives as one event for the folder, with no extension.
        types.FileSystemWatcher(glob_pattern="**/*", kind=types.WatchKind.Delete),
    ]
    registration = types.Registration(
        id=WATCHER_ID,
        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
    )
    try:
        await server.client_register_capability_async(
            types.RegistrationParams(registrations=[registration])
        )
    except Exception as exc:
        logger.warning("could not register file watchers: %s", exc)


def _after_initialized(server: AgentServer, hook: Callable[[], Any]) -> None:
    """Run `hook` after the `initialized` handler that another feature owns.

    pygls allows one handler per method and `config` owns `initialized`; this chains ours
    after it. (A server-level "on initialized" listener list would make this unnecessary.)
    """
    features = server.protocol.fm.features
    previous = features.get(types.INITIALIZED)

    async def chained(*args: Any, **kwargs: Any) -> None:
        if previous is not None:
            result = previous(*args, **kwargs)
            if asyncio.iscoroutine(result):
                await result
        result = hook()
        if asyncio.iscoroutine(result):
            await result

    features[types.INITIALIZED] = chained
