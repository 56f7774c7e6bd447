"""Symbol features over the tree-sitter index: documentSymbol, workspace/symbol, definition,
references, indexing progress, and keeping the index in step with buffers and the disk.

The index itself (`indexer`) knows nothing of LSP; `convert` turns its byte columns into the
client's positions. Indexing runs in a worker thread (which drives a process pool) and reads
use their own SQLite connections, so no handler waits for indexing.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from lsprotocol import types

from lsp_agent.server.protocol import JsonText
from lsp_agent.server.symbols.answers import RecentAnswers
from lsp_agent.server.symbols.convert import (
    SymbolTexts,
    byte_offset,
    document_symbols,
    flat_symbols,
    to_path,
)
from lsp_agent.server.symbols.state import ServerIndex

if TYPE_CHECKING:
    from indexer.model import Reference, Span
    from indexer.workspace import WorkspaceIndex
    from lsp_agent.server.app import AgentServer

logger = logging.getLogger(__name__)

WORKSPACE_SYMBOL_LIMIT = 100
WATCHER_ID = "lsp-agent-index-watcher"


def register(server: AgentServer) -> None:
    state = ServerIndex(server)
    server.index = state
    server.documents.subscribe(state.on_document)
    server.on_settings_changed(lambda _: state.start() if state._config is not None else None)
    server.on_initialized(lambda: _initialized(server, state))
    answers: RecentAnswers[JsonText] = RecentAnswers()
    texts = SymbolTexts()

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def document_symbol(
        ls: AgentServer, params: types.DocumentSymbolParams
    ) -> list[types.DocumentSymbol] | list[types.SymbolInformation]:
        uri = params.text_document.uri
        path = to_path(uri)
        if path is None:
            return []
        nested = document_symbols(state.file_symbols(path), state.converter())
        return nested if _hierarchical(ls) else flat_symbols(nested, uri)

    @server.feature(types.WORKSPACE_SYMBOL)
    async def workspace_symbol(
        ls: AgentServer, params: types.WorkspaceSymbolParams
    ) -> JsonText:  # `SymbolInformation`s, as JSON
        await state.wait_opened()  # a warm database answers before its refresh is done
        key = state.search_key(params.query, WORKSPACE_SYMBOL_LIMIT)
        answer = answers.get(key)
        if answer is not None:
            return answer
        found = await asyncio.to_thread(state.search, params.query, WORKSPACE_SYMBOL_LIMIT)
        conv = state.converter()
        answer = JsonText(texts.answer(found, conv))
        if state.search_key(params.query, WORKSPACE_SYMBOL_LIMIT) == key:  # nothing changed
            answers.put(key, answer)
        return answer

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    def definition(ls: AgentServer, params: types.DefinitionParams) -> list[types.Location]:
        from indexer.navigate import find_definitions

        found = _name_at(ls, state, params.text_document.uri, params.position)
        if found is None:
            return []
        path, name, offset, index = found
        doc = state.docs.get(path)
        symbols = doc.symbols() if doc else None
        conv = state.converter()
        if index is None:
            local = [s for s in state.file_symbols(path) if s.name == name]
            return [conv.location(s.path, s.selection) for s in local]
        return [
            conv.location(s.path, s.selection)
            for s in find_definitions(state.roots, path, name, offset, symbols)  # every folder
        ]

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    def references(ls: AgentServer, params: types.ReferenceParams) -> list[types.Location]:
        found = _name_at(ls, state, params.text_document.uri, params.position)
        if found is None:
            return []
        _, name, _, index = found
        if index is None:
            return []
        conv = state.converter()
        spans = _reference_spans(state, name, params.context.include_declaration)
        return [conv.location(p, span) for p, span in spans]

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def folders_changed(ls: AgentServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
        state.start()  # pygls has already updated `ls.workspace.folders`

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched(ls: AgentServer, params: types.DidChangeWatchedFilesParams) -> None:
        state.on_watched(params.changes)


def _hierarchical(ls: AgentServer) -> bool:
    """LSP: DocumentSymbol only to a client that declares it, SymbolInformation to others."""
    text_document = ls.client_capabilities.text_document
    capability = text_document.document_symbol if text_document else None
    return bool(capability and capability.hierarchical_document_symbol_support)


def _name_at(
    ls: AgentServer, state: ServerIndex, uri: str, position: types.Position
) -> tuple[str, str, int, WorkspaceIndex | None] | None:
    from indexer.navigate import word_at

    path = to_path(uri)
    if path is None:
        return None
    source = state.source(path)
    offset = byte_offset(source, position, ls.workspace.position_codec)
    line_start = source.rfind(b"\n", 0, offset) + 1
    word = word_at(source, (position.line, offset - line_start))
    if word is None:
        return None
    return path, word[0], offset, state.index_for(path)


def _reference_spans(
    state: ServerIndex, name: str, with_declarations: bool
) -> list[tuple[str, Span]]:
    """Stored references in every folder, with open buffers' own references in place of
    their files'."""
    index = state.roots
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
