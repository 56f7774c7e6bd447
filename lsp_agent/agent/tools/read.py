"""Read: a file's text with line numbers, as `cat -n` prints it; images as image blocks."""

from __future__ import annotations

import base64
from typing import Any

from lsp_agent.agent.tools import notebook, textfile
from lsp_agent.agent.tools.base import ToolContext, ToolError, ToolResult
from lsp_agent.agent.tools.common import (
    MAX_LINE_CHARS,
    BaseTool,
    arg,
    load,
    numbered,
    path_arg,
    remember_read,
    split_lines,
)

DEFAULT_LIMIT = 2000
MAX_READ_CHARS = 100_000  # about 25k tokens, Claude Code's cap for one Read
IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
MAX_IMAGE_BYTES = 5 * 1024 * 1024  # the API's per-image limit


class Read(BaseTool):
    name = "Read"
    description = (
        "Reads a file from the local filesystem. file_path must be an absolute path (or "
        "relative to the working directory). By default reads up to 2000 lines from the "
        "start; offset (1-based line number) and limit read a part of a long file. Lines "
        "longer than 2000 characters are cut. Output is numbered like `cat -n`, starting at "
        "1. Images (png, jpg, gif, webp) are returned as images; Jupyter notebooks as their "
        "cells with outputs. Reading a file is required "
        "before editing or overwriting it."
    )
    input_schema = {
        "type": "object",
        "properties": {
            "file_path": {"type": "string", "description": "The absolute path of the file"},
            "offset": {"type": "integer", "description": "The line number to start at"},
            "limit": {"type": "integer", "description": "The number of lines to read"},
        },
        "required": ["file_path"],
        "additionalProperties": False,
    }

    async def call(self, tool_input: dict[str, Any], ctx: ToolContext) -> ToolResult:
        path = path_arg(tool_input, "file_path", ctx)
        offset = max(arg(tool_input, "offset", int, 1), 1)
        limit = arg(tool_input, "limit", int, DEFAULT_LIMIT)
        if limit < 1:
            raise ToolError("limit must be at least 1")
        if path.suffix.lower() in IMAGE_TYPES and ctx.documents.read_text(path) is None:
            return _image(path)
        loaded = load(ctx, path)
        if loaded is None:
            raise ToolError(f"File does not exist: {path}")
        remember_read(ctx, path, loaded.text)
        if path.suffix.lower() == ".ipynb":
            return ToolResult(notebook.render(notebook.parse(loaded.text, path)))
        return ToolResult(_render(textfile.to_lf(loaded.text), offset, limit))


def _render(text: str, offset: int, limit: int) -> str:
    lines = split_lines(text)
    if not lines:
        return _reminder("the file exists but the contents are empty.")
    if offset > len(lines):
        return _reminder(
            f"the file exists but is shorter than the provided offset ({offset}). "
            f"The file has {len(lines)} lines."
        )
    last = min(offset + limit - 1, len(lines))
    shown = numbered(text, offset, limit)
    if len(shown) > MAX_READ_CHARS:
        # Keep the result within what a model turn can take: whole lines up to the budget.
        shown = shown[:MAX_READ_CHARS].rsplit("\n", 1)[0]
        last = offset + shown.count("\n")
    notes = []
    if any(len(line) > MAX_LINE_CHARS for line in lines[offset - 1 : last]):
        notes.append(f"lines longer than {MAX_LINE_CHARS} characters were cut")
    if last < len(lines) or offset > 1:
        notes.append(
            f"showing lines {offset}-{last} of {len(lines)}; use offset and limit to read more"
        )
    return shown + "".join(f"\n\n({note})" for note in notes)


def _reminder(text: str) -> str:
    return f"<system-reminder>Warning: {text}</system-reminder>"


def _image(path: Any) -> ToolResult:
    data = path.read_bytes()
    if len(data) > MAX_IMAGE_BYTES:
        raise ToolError(f"{path} is too large to send as an image ({len(data)} bytes)")
    block = {
        "type": "image",
        "source": {
            "type": "base64",
            "media_type": IMAGE_TYPES[path.suffix.lower()],
            "data": base64.b64encode(data).decode("ascii"),
        },
    }
    return ToolResult([block])
