"""The engine's EditSink in the editor: every edit is a proposal the user approves.

How a proposal reaches the buffer depends on the client (docs/protocol.md, "Edits are
proposals"): its own review (`clientReview`), change annotations with `needsConfirmation`, or a
`window/showMessageRequest` before sending. An edit counts as applied only when the client says
so and the document's next version holds the new text.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar

from lsprotocol import types
from pygls import uris

from lsp_agent.agent.options import AUTO_ACCEPT_MODES
from lsp_agent.agent.ports import Cancelled, CancelToken, EditOutcome, EditProposal
from lsp_agent.server.diagnostics import diagnostic_line
from lsp_agent.textdiff import (
    Conflict,
    Hunk,
    apply_hunks,
    compute_hunks,
    lines,
    rebase,
    summary,
)

if TYPE_CHECKING:
    from pygls.workspace import PositionCodec, Workspace

    from lsp_agent.server.diagnostics import DiagnosticStore
    from lsp_agent.server.documents import Documents
    from lsp_agent.server.reporter import StreamReporter
    from lsp_agent.settings import Settings

logger = logging.getLogger(__name__)

ANNOTATION_ID = "lspAgent"
# How long to wait for the edited document's didChange after the client says it applied.
LANDING_TIMEOUT_S = 5.0
UNOPENED_TIMEOUT_S = 1.0
# After an edit lands, how long to wait for the client to forward fresh diagnostics.
DIAGNOSTICS_TIMEOUT_S = 2.0
MAX_DIAGNOSTICS = 20
_ids = itertools.count(1)
Route = Literal["auto", "client", "annotate", "ask"]
T = TypeVar("T")


@dataclass(frozen=True)
class Review:
    """The user's answer to a proposal."""

    accepted: bool
    hunks: frozenset[int] | None = None  # None: all
    text: str | None = None  # the user's own edited version of the whole file
    reason: str = ""


@dataclass
class Pending:
    id: str
    session_id: str
    uri: str
    path: Path
    base: str | None  # the file as it was when proposed (None: it does not exist)
    target: str
    hunks: list[Hunk]
    description: str
    review: asyncio.Future[Review] = field(default_factory=asyncio.Future)
    # Set once the accepted part was sent and checked, for `lspAgent.acceptEdits` to report.
    outcome: asyncio.Future[EditOutcome] = field(default_factory=asyncio.Future)


class EditorClient(Protocol):
    """What the sink uses of the server: the open documents, the proposals under review, the
    editor's diagnostics and capabilities, and two requests to the client."""

    documents: Documents
    proposals: Proposals
    diagnostics: DiagnosticStore
    initialization_options: Any

    @property
    def client_capabilities(self) -> types.ClientCapabilities: ...

    @property
    def workspace(self) -> Workspace: ...

    async def workspace_apply_edit_async(
        self, params: types.ApplyWorkspaceEditParams
    ) -> types.ApplyWorkspaceEditResult: ...

    async def window_show_message_request_async(
        self, params: types.ShowMessageRequestParams
    ) -> types.MessageActionItem | None: ...

    def window_show_message(self, params: types.ShowMessageParams) -> None: ...

    @property
    def settings(self) -> Settings: ...


class SessionView(Protocol):
    """What the sink needs of its session."""

    id: str
    reporter: StreamReporter | None
    cancel: CancelToken | None

    @property
    def permission_mode(self) -> str: ...


class Proposals:
    """Proposals waiting for the client's review, by id."""

    def __init__(self) -> None:
        self.pending: dict[str, Pending] = {}
        self.told_cannot_apply = False  # the user was told once that the editor takes no edits

    def add(self, pending: Pending) -> None:
        self.pending[pending.id] = pending

    def decide(self, proposal_id: str, review: Review) -> Pending:
        pending = self.pending.pop(proposal_id, None)
        if pending is None:
            raise KeyError(f"no pending proposal {proposal_id!r}")
        if not pending.review.done():
            pending.review.set_result(review)
        return pending


def uri_of(path: Path) -> str:
    return uris.from_fs_path(str(path)) or path.as_uri()


def _disk_text(path: Path) -> str | None:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    # Line endings and encoding are the tools' concern; here the text only has to match.
    return data.decode("utf-8", errors="surrogateescape").replace("\r\n", "\n")


class LspEditSink:
    """Outside the modes that accept edits at once, every edit is shown to the user before it
    lands (`reviews_edits`), so the engine's permission gate asks no question of its own. The
    outcome's `status` and `ref` (the proposal id) reach the stream through the engine's
    `proposal` event; the sink itself sends only the review request (status `pending`)."""

    reviews_edits = True

    def __init__(self, server: EditorClient, session: SessionView) -> None:
        self.server = server
        self.session = session

    # -- the port --------------------------------------------------------------------------

    async def apply(self, proposal: EditProposal) -> EditOutcome:
        if proposal.new_text is None:
            message = "deleting files is not supported in the editor"
            return EditOutcome(False, None, message, status="rejected")
        workspace = self.server.client_capabilities.workspace
        if workspace is not None and workspace.apply_edit is False:
            return self._cannot_apply()
        uri = uri_of(proposal.path)
        current = self._current(uri, proposal.path)
        try:
            target = _place(proposal, current)
        except Conflict as conflict:
            return EditOutcome(
                False,
                current,
                f"conflict: {proposal.path.name} changed in the editor since it "
                f"was read ({conflict}); read it again before editing",
                status="stale",
            )
        hunks = compute_hunks(current or "", target)
        if current is not None and not hunks:
            return EditOutcome(True, current, "no change", status="unchanged")
        pending = Pending(
            f"p{next(_ids)}",
            self.session.id,
            uri,
            proposal.path,
            current,
            target,
            hunks,
            proposal.description,
        )
        self._report_pending(pending, uri, proposal)
        route = self._route(pending)
        try:
            outcome, status = await self._decide_and_send(pending, route)
        except BaseException as exc:  # cancelled too: whoever waits on the outcome must hear
            if not pending.outcome.done():
                pending.outcome.set_exception(exc)
            if isinstance(exc, Cancelled | asyncio.CancelledError):
                self._report_cancelled(pending, uri, proposal)
            raise
        finally:
            self.server.proposals.pending.pop(pending.id, None)
        outcome = dataclasses.replace(outcome, status=status, ref=pending.id)
        pending.outcome.set_result(outcome)
        return outcome

    async def _decide_and_send(self, pending: Pending, route: Route) -> tuple[EditOutcome, str]:
        review = await self._review(pending, route)
        if not review.accepted or review.hunks == frozenset():
            why = f": {review.reason}" if review.reason else ""
            return EditOutcome(
                False, pending.base, f"the user rejected this change{why}"
            ), "rejected"
        selected = None if review.hunks is None else set(review.hunks)
        final = (
            review.text
            if review.text is not None
            else apply_hunks(pending.base or "", pending.hunks, selected)
        )
        outcome = await self._send(pending, final, confirm=route == "annotate")
        if not outcome.applied:
            return outcome, "stale" if outcome.message.startswith("conflict") else "rejected"
        return outcome, "partial" if outcome.final_text != pending.target else "applied"

    # -- deciding ----------------------------------------------------------------------------

    def _client_reviews(self) -> bool:
        options = self.server.initialization_options
        return isinstance(options, dict) and bool(options.get("clientReview"))

    def _edit_capabilities(self) -> types.WorkspaceEditClientCapabilities | None:
        workspace = self.server.client_capabilities.workspace
        return workspace.workspace_edit if workspace else None

    def _route(self, pending: Pending) -> Route:
        """Who approves this proposal, decided once from the mode and the client."""
        if self.session.permission_mode in AUTO_ACCEPT_MODES:
            return "auto"
        if self._client_reviews():
            return "client"
        caps = self._edit_capabilities()
        annotated = bool(caps and caps.change_annotation_support and caps.document_changes)
        # A new file the client cannot create is written by us: the editor never sees it, so
        # it could not confirm it either.
        if annotated and (pending.base is not None or self._can_create()):
            return "annotate"
        return "ask"

    async def _review(self, pending: Pending, route: Route) -> Review:
        if route in ("auto", "annotate"):
            return Review(True)  # annotate: the editor asks when the edit arrives
        if route == "client":
            self.server.proposals.add(pending)
            return await self._until_cancelled(pending.review)
        return await self._ask(pending)

    async def _ask(self, pending: Pending) -> Review:
        """Clients that apply edits at once (Neovim) are asked before the edit is sent."""
        relative = _relative(pending.path, self.server)
        verb = "create" if pending.base is None else "edit"
        params = types.ShowMessageRequestParams(
            type=types.MessageType.Info,
            message=f"Claude wants to {verb} {summary(relative, pending.hunks)}",
            actions=[types.MessageActionItem("Apply"), types.MessageActionItem("Reject")],
        )
        timeout = self.server.settings.permissionPromptTimeout
        question = asyncio.wait_for(self.server.window_show_message_request_async(params), timeout)
        try:
            answer = await self._until_cancelled(asyncio.ensure_future(question))
        except TimeoutError:  # a client that never answers must not hang the run
            return Review(False, reason=f"no answer from the editor within {timeout:g} s")
        return Review(answer is not None and answer.title == "Apply")

    async def _until_cancelled(self, future: asyncio.Future[T]) -> T:
        cancel = self.session.cancel
        if cancel is None:
            return await future
        waiter: asyncio.Future[Any] = asyncio.ensure_future(cancel.wait())
        pair: list[asyncio.Future[Any]] = [future, waiter]
        try:
            await asyncio.wait(pair, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
        if not future.done():
            future.cancel()
            raise Cancelled(cancel.reason)
        return future.result()

    # -- sending -----------------------------------------------------------------------------

    async def _send(self, pending: Pending, final: str, *, confirm: bool) -> EditOutcome:
        uri = pending.uri
        now = self._current(uri, pending.path)
        if now != pending.base:
            # The user typed while the proposal was under review: move it onto the new text.
            try:
                final = rebase(pending.base or "", final, now or "")
            except Conflict as conflict:
                return EditOutcome(False, now, f"conflict: the file changed meanwhile ({conflict})")
        if now is None and not self._can_create():
            return self._write_new_file(pending.path, final)
        sent_version = self.server.documents.version(uri)
        edit = self._workspace_edit(uri, now, final, pending.description, confirm)
        params = types.ApplyWorkspaceEditParams(edit=edit, label=f"Claude: {pending.description}")
        timeout = self.server.settings.permissionPromptTimeout
        try:
            result = await asyncio.wait_for(self.server.workspace_apply_edit_async(params), timeout)
        except TimeoutError:
            return EditOutcome(
                False, now, f"not applied: the editor did not answer the edit within {timeout:g} s"
            )
        if not result.applied:
            reason = result.failure_reason or "the editor did not apply it"
            return EditOutcome(False, now, f"not applied: {reason}")
        landed = await self._landed(uri, pending.path, final, sent_version)
        return dataclasses.replace(landed, base_text=now)

    def _cannot_apply(self) -> EditOutcome:
        """A client that declares `applyEdit: false` never gets a `workspace/applyEdit` (it
        would never answer one): the model hears why, and the user is told once."""
        if not self.server.proposals.told_cannot_apply:
            self.server.proposals.told_cannot_apply = True
            self.server.window_show_message(
                types.ShowMessageParams(
                    type=types.MessageType.Warning,
                    message="lsp-agent: this editor does not take edits from a language server "
                    "(workspace.applyEdit is off), so Claude cannot change files here.",
                )
            )
        return EditOutcome(
            False,
            None,
            "not applied: this editor does not accept edits from the language server; show the "
            "change to the user instead (for example as a diff in your answer)",
            status="rejected",
        )

    def _can_create(self) -> bool:
        caps = self._edit_capabilities()
        operations = (caps.resource_operations or []) if caps else []
        return bool(caps and caps.document_changes) and (
            types.ResourceOperationKind.Create in operations
        )

    def _write_new_file(self, path: Path, text: str) -> EditOutcome:
        # Only reached after the user approved (route "ask", "client" or "auto"): a file that
        # does not exist yet is in no buffer, so writing it hides nothing from the editor.
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return EditOutcome(True, text, "created")

    def _workspace_edit(
        self, uri: str, now: str | None, final: str, description: str, confirm: bool
    ) -> types.WorkspaceEdit:
        document = self.server.workspace.text_documents.get(uri)
        text_edits: list[types.TextEdit | types.AnnotatedTextEdit] = [
            self._text_edit(now or "", hunk, confirm) for hunk in compute_hunks(now or "", final)
        ]
        caps = self._edit_capabilities()
        if not (caps and caps.document_changes):
            # A client without documentChanges takes only unversioned edits of existing files.
            plain = [types.TextEdit(range=e.range, new_text=e.new_text) for e in text_edits]
            return types.WorkspaceEdit(changes={uri: plain})
        changes: list[types.TextDocumentEdit | types.CreateFile] = []
        if now is None:
            changes.append(
                types.CreateFile(uri=uri, annotation_id=ANNOTATION_ID if confirm else None)
            )
        version = document.version if document is not None else None
        identifier = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version)
        changes.append(types.TextDocumentEdit(text_document=identifier, edits=text_edits))
        annotations = None
        if confirm:
            annotations = {
                ANNOTATION_ID: types.ChangeAnnotation(
                    label=f"Claude: {description}",
                    needs_confirmation=True,
                    description="Proposed by Claude; review before applying.",
                )
            }
        return types.WorkspaceEdit(document_changes=changes, change_annotations=annotations)

    def _text_edit(
        self, text: str, hunk: Hunk, confirm: bool
    ) -> types.TextEdit | types.AnnotatedTextEdit:
        edit_range = hunk_range(self.server.workspace.position_codec, text, hunk)
        if confirm:
            return types.AnnotatedTextEdit(
                range=edit_range, new_text=hunk.new_text, annotation_id=ANNOTATION_ID
            )
        return types.TextEdit(range=edit_range, new_text=hunk.new_text)

    async def _landed(
        self, uri: str, path: Path, final: str, sent_version: int | None
    ) -> EditOutcome:
        """The client said applied: believe it once the buffer held the new text at a later
        version (VS Code's preview can say applied after changing nothing)."""
        documents = self.server.documents
        if sent_version is None:
            # Not open here: the editor applies it in a buffer we may never see (VS Code keeps
            # it unsaved). Give it a moment to open; otherwise take the client's word for it.
            seen = await documents.wait_for(
                lambda: documents.held_since(uri, None, final) or _disk_text(path) == final,
                UNOPENED_TIMEOUT_S,
            )
            note = "" if seen else " (the file is not open here, so it was not checked)"
            return EditOutcome(True, final, "applied" + note)
        landed = await documents.wait_for(
            lambda: documents.held_since(uri, sent_version, final), LANDING_TIMEOUT_S
        )
        if landed:
            return EditOutcome(True, final, "applied", note=await self._diagnostics_note(uri))
        return EditOutcome(
            False,
            documents.text(uri),
            "not applied: the editor reported success but the document did not change "
            "(was the change left unticked in a preview?)",
        )

    async def _diagnostics_note(self, uri: str) -> str:
        """What the editor's other servers say about the file now, for the model's next turn.
        Only clients that forward diagnostics (`lspAgent/diagnostics`) are waited for."""
        store = self.server.diagnostics
        if not store.by_uri:
            return ""
        found = await store.wait_for_update(uri, DIAGNOSTICS_TIMEOUT_S)
        if not found:
            return "The editor reports no diagnostics for this file after the change."
        lines = [f"- {diagnostic_line(d)}" for d in found[:MAX_DIAGNOSTICS]]
        return "Diagnostics in the editor after the change:\n" + "\n".join(lines)

    # -- helpers -----------------------------------------------------------------------------

    def current_text(self, path: Path) -> str | None:
        """What an edit of `path` is made against now: the buffer, else the disk."""
        return self._current(uri_of(path), path)

    def _current(self, uri: str, path: Path) -> str | None:
        text = self.server.documents.text(uri)
        return text if text is not None else _disk_text(path)

    def _report_cancelled(self, pending: Pending, uri: str, proposal: EditProposal) -> None:
        """The run was cancelled while the proposal waited: it ends here, so a client's review
        closes instead of waiting for an answer nobody needs."""
        if self.session.reporter is not None:
            self.session.reporter.send(
                "proposal",
                proposalId=pending.id,
                uri=uri,
                version=self.server.documents.version(uri),
                description=proposal.description,
                status="cancelled",
                applied=False,
                message="the run was cancelled",
                toolUseId=proposal.tool_use_id,
            )

    def _report_pending(self, pending: Pending, uri: str, proposal: EditProposal) -> None:
        """The review request: the proposal with its hunks, for clients with their own review."""
        reporter = self.session.reporter
        if reporter is None:
            return
        reporter.send(
            "proposal",
            proposalId=pending.id,
            uri=uri,
            version=self.server.documents.version(uri),
            description=proposal.description,
            status="pending",
            oldText=pending.base,
            newText=pending.target,
            hunks=[_hunk_json(pending.base or "", h) for h in pending.hunks],
            toolUseId=proposal.tool_use_id,
        )


def hunk_range(codec: PositionCodec, text: str, hunk: Hunk) -> types.Range:
    """The lines a hunk replaces in `text`, as an LSP range."""
    return types.Range(_line_start(codec, text, hunk.start), _line_start(codec, text, hunk.end))


def _line_start(codec: PositionCodec, text: str, line: int) -> types.Position:
    """The start of `line`; past a last line without a newline, that line's end (in the
    client's units, through pygls's codec)."""
    text_lines = lines(text)
    if line < len(text_lines) or not text_lines or text_lines[-1].endswith(("\n", "\r")):
        return types.Position(line=line, character=0)
    last = text_lines[-1]
    return types.Position(line=len(text_lines) - 1, character=codec.client_num_units(last))


def _hunk_json(text: str, hunk: Hunk) -> dict[str, object]:
    # Line-based ranges (character 0) need no position-encoding conversion.
    end = {"line": hunk.end, "character": 0}
    return {
        "id": hunk.id,
        "range": {"start": {"line": hunk.start, "character": 0}, "end": end},
        "oldText": hunk.old_text,
        "newText": hunk.new_text,
    }


def _place(proposal: EditProposal, current: str | None) -> str:
    """The proposal's new text, placed on what the file holds now."""
    assert proposal.new_text is not None
    if proposal.old_text == current:
        return proposal.new_text
    if current is None:
        raise Conflict("the file was deleted")
    if proposal.old_text is None:
        raise Conflict("the file was created meanwhile")
    return rebase(proposal.old_text, proposal.new_text, current)


def _relative(path: Path, server: EditorClient) -> str:
    root = server.workspace.root_path
    try:
        return str(path.relative_to(root)) if root else str(path)
    except ValueError:
        return str(path)
