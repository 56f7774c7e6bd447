"""Reads through the client's `fs/read_text_file`, so tools see unsaved buffers as in the LSP
mode.

The engine's DocumentSource is synchronous and an ACP read is a request, so the file tools are
wrapped: before Read, Edit, Write, MultiEdit or NotebookEdit runs, the file it names is fetched
from the client into `ClientDocuments`, which the tool then reads as a buffer. Path confinement
is the tool's own (a path outside the roots is never asked for); a file the client cannot read
falls back to disk, as a closed buffer does in the LSP mode.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Protocol

from acp import RequestError

from lsp_agent.agent.permissions import confinement
from lsp_agent.agent.tools.base import Tool, ToolContext, ToolError, ToolResult

log = logging.getLogger(__name__)

FILE_TOOLS = {
    "Read": "file_path",
    "Edit": "file_path",
    "Write": "file_path",
    "MultiEdit": "file_path",
    # Reads its notebook as Read does: the two must see the same text, or the edit is refused
    # as stale (the file "changed" between the buffer Read saw and the disk).
    "NotebookEdit": "notebook_path",
}


class ReadClient(Protocol):
    async def read_text_file(self, path: str, session_id: str, **kwargs: Any) -> Any: ...


class ClientDocuments:
    """The DocumentSource: the client's text of the files the running tools named, held only
    while such a tool runs (a later reader, a subagent's tool too, never sees an old text)."""

    def __init__(self, client: ReadClient, session_id: str) -> None:
        self.client, self.session_id = client, session_id
        self._texts: dict[Path, str] = {}
        self._users: dict[Path, int] = {}  # running tools that fetched each path

    def read_text(self, path: Path) -> str | None:
        return self._texts.get(path.resolve())

    async def fetch(self, path: Path) -> str | None:
        """The client's text of `path` now, None if it has none."""
        try:
            answer = await self.client.read_text_file(path=str(path), session_id=self.session_id)
        except RequestError as error:  # no such file, or not one the client will read
            log.debug("fs/read_text_file %s: %s", path, error)
            return None
        return str(answer.content)

    @contextlib.asynccontextmanager
    async def held(self, path: Path) -> AsyncIterator[None]:
        """The client's text of `path` for the tools reading it until the block ends."""
        path = path.resolve()
        self._users[path] = self._users.get(path, 0) + 1
        try:
            text = await self.fetch(path)
            if text is None:
                self._texts.pop(path, None)
            else:
                self._texts[path] = text
            yield
        finally:
            self._users[path] -= 1
            if not self._users[path]:
                del self._users[path]
                self._texts.pop(path, None)


class ClientReadTool:
    """A file tool that reads its file through the client first."""

    def __init__(self, tool: Tool, documents: ClientDocuments) -> None:
        self.tool, self.documents = tool, documents
        self.name, self.description = tool.name, tool.description
        self.input_schema, self.read_only = tool.input_schema, tool.read_only

    async def run(self, tool_input: dict[str, Any], ctx: ToolContext) -> ToolResult:
        raw = tool_input.get(FILE_TOOLS[self.name])
        if isinstance(raw, str):
            try:
                path: Path | None = confinement.resolve(raw, ctx.cwd, ctx.roots)
            except ToolError:  # the tool reports a bad or outside path itself
                path = None
            if path is not None and not path.is_dir():
                async with self.documents.held(path):
                    return await self.tool.run(tool_input, ctx)
        return await self.tool.run(tool_input, ctx)
