"""What every tool is: Claude Code's name and input schema, plus an async `run`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from lsp_agent.agent.ports import CancelToken, DocumentSource, EditSink

if TYPE_CHECKING:
    from lsp_agent.agent.model.reducer import MessageSnapshot
    from lsp_agent.agent.tools.background import BackgroundTasks


@dataclass
class ToolResult:
    content: str | list[dict[str, Any]]
    is_error: bool = False


class ToolError(Exception):
    """Raised inside a tool for an expected failure; becomes an `is_error` result."""


@dataclass
class ReadRecord:
    """What a Read saw, so Edit/Write can refuse when the file changed since."""

    mtime_ns: int | None
    text_hash: str


@dataclass
class ToolContext:
    cwd: Path
    roots: list[Path]  # workspace roots plus additional allowed directories
    documents: DocumentSource
    edits: EditSink
    cancel: CancelToken
    session_id: str = ""
    reads: dict[Path, ReadRecord] = field(default_factory=dict)
    todos: list[dict[str, Any]] = field(default_factory=list)
    tool_use_id: str = ""
    # Index-backed tools use this when the host provides an index (None headless without one).
    index: Any = None
    # The session's background shells (tools/background.py); None where they are not offered.
    background: BackgroundTasks | None = None
    # A side request to the model (WebFetch's and WebSearch's), counted in the session's cost.
    ask_model: ModelQuery | None = None

    # Credential variables the user lets tool commands see (`toolEnvPassthrough`).
    env_passthrough: tuple[str, ...] = ()
    # Directories put before PATH for shell commands: the plugins' `bin/` folders.
    path_prefix: tuple[str, ...] = ()
    # The settings files' `env` for shell commands (never credentials).
    extra_env: tuple[tuple[str, str], ...] = ()
    # The file SessionStart/FileChanged hooks write `export` lines to (`CLAUDE_ENV_FILE`): shell
    # commands source it first, so the variables persist for the session.
    env_file: Path | None = None


class ModelQuery(Protocol):
    """One request outside the conversation: `fast` picks the small fast model, `model` (an id
    or an alias such as `haiku`) a named one."""

    async def __call__(
        self, request: dict[str, Any], *, fast: bool = False, model: str | None = None
    ) -> MessageSnapshot: ...


class Tool(Protocol):
    name: str
    description: str
    input_schema: dict[str, Any]
    read_only: bool  # read-only tools of one turn run in parallel

    async def run(self, tool_input: dict[str, Any], ctx: ToolContext) -> ToolResult: ...
