"""A session's change sets in the editor: list what its runs changed, and revert it.

Reverting (a hunk, a file, a run, or every run since a prompt: rewind) is one versioned
`workspace/applyEdit` computed three-way against what each buffer holds now
(`lsp_agent.textrevert`): what the user typed since the run stays, and a hunk the user changed
is reported as a conflict and left alone. Files a run created are deleted only if they still
hold exactly what the run wrote.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from lsp_agent.agent.changes import FileChange, RunChanges
from lsp_agent.server.edits import _disk_text, hunk_range, uri_of
from lsp_agent.textdiff import compute_hunks
from lsp_agent.textrevert import revert, where

if TYPE_CHECKING:
    from lsp_agent.server.app import AgentServer
    from lsp_agent.server.sessions import ServerSession


def listing(server: AgentServer, session: ServerSession) -> dict[str, Any]:
    """Every run of the session with the files it changed and their hunks. A hunk's `line` is
    where it starts in the buffer now (null: the user changed it since)."""
    return {
        "sessionId": session.id,
        "runs": [_run_json(server, run) for run in session.changes.runs],
    }


def _run_json(server: AgentServer, run: RunChanges) -> dict[str, Any]:
    files = [_file_json(server, change) for change in run.files.values()]
    return {"run": run.run, "prompt": run.prompt, "files": files, "untracked": run.untracked}


def _file_json(server: AgentServer, change: FileChange) -> dict[str, Any]:
    uri = uri_of(change.path)
    current = _current(server, uri, change.path)
    before = change.before or ""
    lines = where(before, change.after, current) if current is not None else {}
    return {
        "uri": uri,
        "path": str(change.path),
        "created": change.before is None,
        "before": change.before,
        "after": change.after,
        "hunks": [
            {
                "id": hunk.id,
                "line": lines.get(hunk.id),
                "oldText": hunk.old_text,
                "newText": hunk.new_text,
            }
            for hunk in compute_hunks(before, change.after)
        ],
    }


@dataclass
class Plan:
    """What one revert sends and what it leaves alone."""

    # (uri, the buffer's version or None when not open, edits against it)
    documents: list[tuple[str, int | None, list[types.TextEdit]]] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)  # uris of files the run created
    # (path, hunk ids reverted or None for the whole file) to forget once the edit applied
    done: list[tuple[Path, set[int] | None]] = field(default_factory=list)
    reverted: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)


async def revert_changes(
    server: AgentServer,
    session: ServerSession,
    first: int,
    last: int | None,
    uri: str | None = None,
    hunks: set[int] | None = None,
) -> dict[str, Any]:
    """Revert runs `first`..`last` (default: the latest) of `session`, or only the file `uri`
    of them, or only some of its `hunks`, as one WorkspaceEdit."""
    net = session.changes.since(first, last)
    if uri is not None:
        net = {p: c for p, c in net.items() if uri_of(p) == uri}
        if not net:
            raise LookupError(f"run {first} changed no file {uri}")
    for attempt in (1, 2):
        plan = Plan()
        for change in net.values():
            _plan_file(server, plan, change, hunks if uri is not None else None)
        answer: dict[str, Any] = {"applied": True, "conflicts": plan.conflicts}
        if not (plan.documents or plan.deletes):
            break
        applied, reason = await _send(server, plan, f"Claude: revert run {first}")
        if applied:
            for path, reverted_hunks in plan.done:
                session.changes.forget(first, last, path, reverted_hunks)
            break
        # A buffer typed in (or just reverted) whose didChange was still on its way: the editor
        # refused the versioned edit; plan again against the text it holds now, once.
        if attempt == 2 or not await _moved_on(server, plan):
            return {**answer, "applied": False, "message": reason, "reverted": []}
    answer["reverted"] = plan.reverted
    return answer


async def _moved_on(server: AgentServer, plan: Plan) -> bool:
    """Whether a buffer the plan edited has a newer version than planned (waiting up to 0.5 s
    for the didChange that may still be in flight)."""
    for _ in range(10):
        for uri, version, _edits in plan.documents:
            document = server.workspace.text_documents.get(uri)
            if version is not None and document is not None and document.version != version:
                return True
        await asyncio.sleep(0.05)  # no event says a notification is in flight: look again
    return False


def _plan_file(server: AgentServer, plan: Plan, change: FileChange, hunks: set[int] | None) -> None:
    uri = uri_of(change.path)
    current = _current(server, uri, change.path)
    if current is None:
        plan.conflicts.append({"uri": uri, "message": "the file no longer exists"})
        return
    if change.before is None and hunks is None:
        _plan_delete(server, plan, change, uri, current)
        return
    result = revert(change.before or "", change.after, current, hunks)
    for hunk in result.conflicts:
        plan.conflicts.append(
            {"uri": uri, "hunk": hunk, "message": "changed since the run; left as it is"}
        )
    if not result.reverted:
        return
    document = server.workspace.text_documents.get(uri)
    codec = server.workspace.position_codec
    edits = [
        types.TextEdit(range=hunk_range(codec, current, h), new_text=h.new_text)
        for h in compute_hunks(current, result.text)
    ]
    plan.documents.append((uri, document.version if document is not None else None, edits))
    whole = hunks is None and not result.conflicts
    plan.done.append((change.path, None if whole else set(result.reverted)))
    plan.reverted.append({"uri": uri, "hunks": list(result.reverted)})


def _plan_delete(
    server: AgentServer, plan: Plan, change: FileChange, uri: str, current: str
) -> None:
    if current != change.after:
        message = "created by the run and changed since; not deleted"
        plan.conflicts.append({"uri": uri, "message": message})
    elif not _can_delete(server):
        plan.conflicts.append({"uri": uri, "message": "the editor cannot delete files"})
    else:
        plan.deletes.append(uri)
        plan.done.append((change.path, None))
        plan.reverted.append({"uri": uri, "deleted": True})


async def _send(server: AgentServer, plan: Plan, label: str) -> tuple[bool, str]:
    workspace = server.client_capabilities.workspace
    caps = workspace.workspace_edit if workspace else None
    if caps and caps.document_changes:
        changes: list[types.TextDocumentEdit | types.DeleteFile] = [
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=v),
                edits=list(edits),
            )
            for uri, v, edits in plan.documents
        ]
        changes += [types.DeleteFile(uri=uri) for uri in plan.deletes]
        edit = types.WorkspaceEdit(document_changes=changes)
    else:  # such a client takes only unversioned edits (and was planned no deletes)
        edit = types.WorkspaceEdit(changes={uri: edits for uri, _, edits in plan.documents})
    params = types.ApplyWorkspaceEditParams(edit=edit, label=label)
    timeout = server.settings.permissionPromptTimeout
    try:
        result = await asyncio.wait_for(server.workspace_apply_edit_async(params), timeout)
    except TimeoutError:
        return False, f"the editor did not answer the edit within {timeout:g} s"
    if not result.applied:
        return False, result.failure_reason or "the editor did not apply it"
    return True, ""


def _can_delete(server: AgentServer) -> bool:
    workspace = server.client_capabilities.workspace
    caps = workspace.workspace_edit if workspace else None
    operations = (caps.resource_operations or []) if caps else []
    return bool(caps and caps.document_changes) and types.ResourceOperationKind.Delete in operations


def _current(server: AgentServer, uri: str, path: Path) -> str | None:
    text = server.documents.text(uri)
    return text if text is not None else _disk_text(path)
