"""What the tools share: argument checks, loading text through the document source, the
read-before-edit bookkeeping, and handing edits to the sink."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from lsp_agent.agent.permissions import confinement
from lsp_agent.agent.ports import Cancelled, EditProposal
from lsp_agent.agent.tools import kinds, textfile
from lsp_agent.agent.tools.base import ReadRecord, ToolContext, ToolError, ToolResult

MAX_LINE_CHARS = 2000
log = logging.getLogger(__name__)


class BaseTool:
    """Turns expected failures (ToolError, OSError) into `is_error` results, so nothing a tool
    runs into reaches the loop as an exception. Cancelled still propagates: it stops the run."""

    name: ClassVar[str]
    description: ClassVar[str]
    input_schema: ClassVar[dict[str, Any]]
    read_only: bool = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.read_only = kinds.is_read_only(getattr(cls, "name", ""))

    async def run(self, tool_input: dict[str, Any], ctx: ToolContext) -> ToolResult:
        try:
            return await self.call(tool_input, ctx)
        except ToolError as exc:
            return ToolResult(str(exc), is_error=True)
        except OSError as exc:
            return ToolResult(f"{self.name} failed: {exc}", is_error=True)
        except Cancelled:
            raise
        except Exception as exc:  # a bug of ours must not end the user's run
            log.exception("%s failed on %r", self.name, tool_input)
            return ToolResult(f"{self.name} failed unexpectedly: {exc!r}", is_error=True)

    async def call(self, tool_input: dict[str, Any], ctx: ToolContext) -> ToolResult:
        raise NotImplementedError


def arg(
    tool_input: dict[str, Any], key: str, kind: type | tuple[type, ...], default: Any = ...
) -> Any:
    """`tool_input[key]` checked against `kind`; missing -> `default`, or an error if none."""
    value = tool_input.get(key)
    if value is None:
        if default is ...:
            raise ToolError(f"missing required parameter `{key}`")
        return default
    # bool is an int subclass; a model sending true for a line count is a mistake.
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
        raise ToolError(f"parameter `{key}` must be {names}, got {value!r}")
    return value


def path_arg(tool_input: dict[str, Any], key: str, ctx: ToolContext, default: Any = ...) -> Path:
    raw = arg(tool_input, key, str, default)
    return ctx.cwd.resolve() if raw is None else confinement.resolve(raw, ctx.cwd, ctx.roots)


@dataclass(frozen=True)
class Loaded:
    path: Path
    text: str  # exactly as stored (line endings untouched)
    from_buffer: bool


def load(ctx: ToolContext, path: Path) -> Loaded | None:
    """The file's text, the editor's unsaved buffer first; None if it does not exist."""
    buffered = ctx.documents.read_text(path)
    if buffered is not None:
        return Loaded(path, buffered, from_buffer=True)
    if path.is_dir():
        raise ToolError(f"{path} is a directory, not a file (use LS to list it)")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        text, _ = textfile.decode(data)
    except textfile.BinaryFile:
        raise ToolError(f"{path} is a binary file; it cannot be shown as text") from None
    return Loaded(path, text, from_buffer=False)


def remember_read(ctx: ToolContext, path: Path, text: str) -> None:
    ctx.reads[path] = ReadRecord(mtime_ns=_mtime_ns(path), text_hash=textfile.digest(text))


def require_fresh(ctx: ToolContext, loaded: Loaded) -> None:
    """Edits are computed against what the model saw: refuse if it never read the file or the
    file changed since (the user typed in the buffer, a formatter ran, another tool wrote)."""
    record = ctx.reads.get(loaded.path)
    if record is None:
        raise ToolError(
            f"File has not been read yet: {loaded.path}. Read it first before writing to it."
        )
    if record.text_hash != textfile.digest(loaded.text):
        raise ToolError(
            f"File has been modified since it was read, either by the user or by a linter: "
            f"{loaded.path}. Read it again before attempting to write it."
        )


async def submit(ctx: ToolContext, proposal: EditProposal) -> str:
    """Hand the edit to the sink. Returns a note for the model when what landed differs from
    what was proposed; raises ToolError when the sink did not apply it."""
    confinement.refuse_hard_links(proposal.path)
    outcome = await ctx.edits.apply(proposal)
    if not outcome.applied:
        reason = outcome.message or "rejected"
        raise ToolError(f"The change to {proposal.path} was not applied: {reason}")
    landed = outcome.final_text if outcome.final_text is not None else proposal.new_text
    if landed is None:
        ctx.reads.pop(proposal.path, None)
        return ""
    remember_read(ctx, proposal.path, landed)
    note = f"\n{outcome.note}" if outcome.note else ""
    if proposal.new_text is None or textfile.to_lf(landed) == textfile.to_lf(proposal.new_text):
        return note
    return note + (
        "\nNote: the change was modified before it was applied (for example the user edited "
        "the proposal). The file now reads:\n" + numbered(textfile.to_lf(landed), 1, 400)
    )


def numbered(text: str, start: int, limit: int) -> str:
    """`cat -n` style: line numbers from `start`, a tab, the line cut at MAX_LINE_CHARS."""
    lines = split_lines(text)[start - 1 : start - 1 + limit]
    return "\n".join(
        f"{n:>6}\t{line[:MAX_LINE_CHARS]}" for n, line in enumerate(lines, start=start)
    )


def split_lines(text: str) -> list[str]:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _mtime_ns(path: Path) -> int | None:
    with contextlib.suppress(OSError):
        return path.stat().st_mtime_ns
    return None
