"""What the agent is told about where the user is: the action's instruction, the file, the
selection, the diagnostics there and the surrounding code (from the index when it is loaded).

CLAUDE.md memory and the environment go into the system prompt (the engine's job), so they
stay in the cached prefix instead of being repeated in every prompt.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from lsp_agent.agent.permissions import confinement
from lsp_agent.server.diagnostics import diagnostic_line

if TYPE_CHECKING:
    from lsp_agent.server.app import AgentServer

logger = logging.getLogger(__name__)

ACTIONS: dict[str, tuple[str, str]] = {
    # action -> (title, instruction); {what} is "the selected code" or "this file"
    "ask": ("Ask", ""),
    "explain": (
        "Explain",
        "Explain {what}: what it does, how, and anything surprising. Do not change any file.",
    ),
    "document": (
        "Document",
        "Write documentation for {what}: docstrings or comments in the "
        "file's own style. Change nothing else.",
    ),
    "tests": (
        "Write tests",
        "Write tests for {what}, following the project's existing test "
        "layout and framework, and run them if you can.",
    ),
    "refactor": (
        "Refactor",
        "Refactor {what} to be clearer and simpler without changing its behaviour.",
    ),
    "review": (
        "Review",
        "Review {what}: bugs, risky code, unclear names and missing tests, "
        "most important first. Do not change any file.",
    ),
    "fix": ("Fix", "Fix the diagnostics listed below in {what}. Keep the change minimal."),
}
MAX_SELECTION_LINES = 400


@dataclass(frozen=True)
class Request:
    action: str
    uri: str
    range: types.Range | None
    prompt: str
    diagnostics: list[dict[str, Any]]


def title_for(request: Request) -> str:
    title = ACTIONS[request.action][0]
    if request.action == "fix" and request.diagnostics:
        first = (str(request.diagnostics[0].get("message", "")).splitlines() or [""])[0][:60]
        return f"Fix '{first}'" + (
            f" (+{len(request.diagnostics) - 1})" if len(request.diagnostics) > 1 else ""
        )
    if request.action == "ask":
        return request.prompt.splitlines()[0][:60] if request.prompt else "Ask"
    return f"{title} {Path(request.uri).name}"


def build_prompt(server: AgentServer, request: Request) -> str:
    instruction = ACTIONS[request.action][1].format(
        what="the selected code" if _has_selection(request.range) else "this file"
    )
    parts = [p for p in (with_references(server, request.prompt), instruction) if p]
    parts.append(_context_block(server, request))
    return "\n\n".join(parts)


def with_references(server: AgentServer, prompt: str) -> str:
    """The prompt with the files its `@path` / `@path#L5-10` references name attached (open
    buffers' unsaved text first); the user hears about a reference that could not be."""
    from lsp_agent.agent.prompt.references import attach
    from lsp_agent.credentials import Redactor
    from lsp_agent.server.edits import _disk_text, uri_of

    def read(path: Path) -> str | None:
        text = server.documents.text(uri_of(path))
        return text if text is not None else _disk_text(path)

    if "@" not in prompt:
        return prompt
    root = server.sessions.root()
    roots = [root, *server.sessions.folders()]
    attached = attach(prompt, root, roots, read, Redactor(server.environ))
    for problem in attached.problems:
        server.window_show_message(
            types.ShowMessageParams(type=types.MessageType.Warning, message=f"lsp-agent: {problem}")
        )
    return attached.prompt


def _has_selection(selection: types.Range | None) -> bool:
    return selection is not None and selection.start != selection.end


def _context_block(server: AgentServer, request: Request) -> str:
    document = server.workspace.get_text_document(request.uri)
    path = Path(document.path)
    lines = ["<editor-context>", f"File: {path}"]
    if document.language_id:
        lines.append(f"Language: {document.language_id}")
    selection = request.range
    if selection is not None:
        start, end = selection.start.line, selection.end.line
        lines.append(f"Cursor/selection: lines {start + 1}-{end + 1}")
        if _has_selection(selection):
            text = document.lines[start : min(end + 1, start + MAX_SELECTION_LINES)]
            lines += ["Selected lines:", "```", "".join(text).rstrip("\n"), "```"]
    lines += _enclosing(server, path, selection)
    if request.diagnostics:
        lines.append("Diagnostics:")
        lines += [f"- {diagnostic_line(d)}" for d in request.diagnostics]
    if server.documents.text(request.uri) is not None:
        lines.append("The file is open in the editor; tools read its unsaved text.")
    lines.append("</editor-context>")
    return "\n".join(lines)


def _enclosing(server: AgentServer, path: Path, selection: types.Range | None) -> list[str]:
    """The enclosing symbols and the definitions they reference, when the index can say."""
    index = getattr(server, "index", None)
    if index is None or selection is None:
        return []
    from indexer.languages import spec_for_path

    if spec_for_path(str(path)) is None:
        return []  # no grammar for this kind of file (JSON, Markdown...): no symbols to give
    roots = [server.sessions.root(), *server.sessions.folders()]
    if not confinement.inside(path.resolve(), roots):
        return []  # the tools' confinement: a symlink out of the workspace gives no context
    try:
        text = index.context_text(path, selection.start.line)
    except Exception:  # context is a help, never a reason to fail the action
        logger.exception("index context failed for %s", path)
        return []
    return [text] if text else []
