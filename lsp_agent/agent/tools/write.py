"""Write, Edit and MultiEdit: compute the new text, then hand it to the edit sink.

Matching happens on text with "\\n" line endings (what Read showed the model); the file's own
line ending is put back before the proposal, so CRLF files stay CRLF.
"""

from __future__ import annotations

from typing import Any

from lsp_agent.agent.ports import EditProposal
from lsp_agent.agent.tools import textfile
from lsp_agent.agent.tools.base import ToolContext, ToolError, ToolResult
from lsp_agent.agent.tools.common import (
    BaseTool,
    Loaded,
    arg,
    load,
    numbered,
    path_arg,
    require_fresh,
    submit,
)

SNIPPET_CONTEXT = 4

_STRING = {"type": "string"}


class Write(BaseTool):
    name = "Write"
    description = (
        "Writes a file, creating it (and its directories) or overwriting it. Overwriting an "
        "existing file requires reading it first in this session. Prefer Edit for changes "
        "to existing files."
    )
    input_schema = {
        "type": "object",
        "properties": {
            "file_path": {"type": "string", "description": "The absolute path of the file"},
            "content": {"type": "string", "description": "The content to write"},
        },
        "required": ["file_path", "content"],
        "additionalProperties": False,
    }

    async def call(self, tool_input: dict[str, Any], ctx: ToolContext) -> ToolResult:
        path = path_arg(tool_input, "file_path", ctx)
        content = arg(tool_input, "content", str)
        loaded = load(ctx, path)
        if loaded is None:
            proposal = EditProposal(
                path, None, content, self.name, f"Write: create {path.name}", ctx.tool_use_id
            )
            note = await submit(ctx, proposal)
            return ToolResult(f"File created successfully at: {path}{note}")
        require_fresh(ctx, loaded)
        if "\r" not in content:
            content = textfile.with_newline(content, textfile.newline_of(loaded.text))
        proposal = EditProposal(
            path, loaded.text, content, self.name, f"Write: overwrite {path.name}", ctx.tool_use_id
        )
        note = await submit(ctx, proposal)
        return ToolResult(f"The file {path} has been overwritten.{note}")


class Edit(BaseTool):
    name = "Edit"
    description = (
        "Replaces exact text in a file. old_string must match the file exactly (whitespace "
        "included, without Read's line-number prefix) and be unique in the file unless "
        "replace_all is true. Requires reading the file first in this session. An empty "
        "old_string on a missing file creates it with new_string."
    )
    input_schema = {
        "type": "object",
        "properties": {
            "file_path": {"type": "string", "description": "The absolute path of the file"},
            "old_string": {"type": "string", "description": "The text to replace"},
            "new_string": {"type": "string", "description": "The replacement text"},
            "replace_all": {
                "type": "boolean",
                "default": False,
                "description": "Replace every occurrence of old_string",
            },
        },
        "required": ["file_path", "old_string", "new_string"],
        "additionalProperties": False,
    }

    async def call(self, tool_input: dict[str, Any], ctx: ToolContext) -> ToolResult:
        path = path_arg(tool_input, "file_path", ctx)
        change = _change(tool_input)
        return await _edit(self.name, ctx, path, [change])


class MultiEdit(BaseTool):
    name = "MultiEdit"
    description = (
        "Makes several Edit-style replacements in one file: applied in order, each to the "
        "result of the previous one, all or nothing. Same rules as Edit."
    )
    input_schema = {
        "type": "object",
        "properties": {
            "file_path": {"type": "string", "description": "The absolute path of the file"},
            "edits": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "properties": {
                        "old_string": _STRING,
                        "new_string": _STRING,
                        "replace_all": {"type": "boolean", "default": False},
                    },
                    "required": ["old_string", "new_string"],
                    "additionalProperties": False,
                },
            },
        },
        "required": ["file_path", "edits"],
        "additionalProperties": False,
    }

    async def call(self, tool_input: dict[str, Any], ctx: ToolContext) -> ToolResult:
        path = path_arg(tool_input, "file_path", ctx)
        edits = arg(tool_input, "edits", list)
        if not edits or not all(isinstance(e, dict) for e in edits):
            raise ToolError("edits must be a non-empty list of {old_string, new_string} objects")
        return await _edit(self.name, ctx, path, [_change(e) for e in edits])


Change = tuple[str, str, bool]


def _change(spec: dict[str, Any]) -> Change:
    old = textfile.to_lf(arg(spec, "old_string", str))
    new = textfile.to_lf(arg(spec, "new_string", str))
    if old == new:
        raise ToolError("No changes to make: old_string and new_string are exactly the same.")
    return old, new, arg(spec, "replace_all", bool, False)


async def _edit(tool: str, ctx: ToolContext, path: Any, changes: list[Change]) -> ToolResult:
    loaded = load(ctx, path)
    if loaded is None:
        if changes[0][0] != "":
            raise ToolError(f"File does not exist: {path}")
        loaded = Loaded(path, "", from_buffer=False)
        original: str | None = None
    else:
        require_fresh(ctx, loaded)
        original = loaded.text
    text = textfile.to_lf(loaded.text)
    first_at = None
    for number, change in enumerate(changes, start=1):
        try:
            text, at = _apply(text, change)
        except ToolError as exc:
            prefix = f"edit {number} of {len(changes)}: " if len(changes) > 1 else ""
            suffix = " No edits were applied." if len(changes) > 1 else ""
            raise ToolError(f"{prefix}{exc}{suffix}") from None
        first_at = at if first_at is None else min(first_at, at)
    new_text = textfile.with_newline(text, textfile.newline_of(loaded.text))
    summary = f"{tool}: {len(changes)} change{'s' if len(changes) > 1 else ''} in {path.name}"
    note = await submit(ctx, EditProposal(path, original, new_text, tool, summary, ctx.tool_use_id))
    line = text.count("\n", 0, first_at or 0) + 1
    start = max(line - SNIPPET_CONTEXT, 1)
    snippet = numbered(text, start, 2 * SNIPPET_CONTEXT + 1)
    return ToolResult(
        f"The file {path} has been updated. Here's the result of running `cat -n` on a "
        f"snippet of the edited file:\n{snippet}{note}"
    )


def _apply(text: str, change: Change) -> tuple[str, int]:
    """(text after the change, offset where it starts)."""
    old, new, replace_all = change
    if old == "":
        if text:
            raise ToolError("old_string is empty but the file is not; give the text to replace.")
        return new, 0
    count = text.count(old)
    if count == 0:
        raise ToolError(f"String to replace not found in file.\nString: {old}")
    if count > 1 and not replace_all:
        raise ToolError(
            f"Found {count} matches of the string to replace, but replace_all is false. To "
            f"replace all occurrences, set replace_all to true. To replace only one "
            f"occurrence, provide more context to uniquely identify the instance.\n"
            f"String: {old}"
        )
    at = text.index(old)
    return (text.replace(old, new) if replace_all else text.replace(old, new, 1)), at
