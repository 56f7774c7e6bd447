// Inline diff review of proposals (docs/protocol.md, "Client review"): each pending proposal
// opens as a diff of the current file against a writable proposal document; the user accepts or
// rejects hunk by hunk (CodeLens, editor-title actions, keybindings) or all at once, may edit the
// proposal, and once every hunk is decided the server hears what to apply (or, when nothing is
// accepted, why the user rejected it, if they say).
import * as path from "node:path";
import * as vscode from "vscode";
import { applyHunks, hunkLines, hunkNear } from "./hunks";
import { MemFs } from "./memfs";
import type { Hunk, HunkId, PendingProposal, ProposalEvent } from "./protocol";

export const SCHEME = "lsp-agent-proposal";

export type Execute = (command: string, argument: object) => Promise<unknown>;

/** What a review command acts on: a proposal id, or a document of the review. */
export type ReviewTarget = string | vscode.Uri;

/** A review command's first argument as VS Code passes it: a proposal id from our CodeLens,
 * the editor's resource URI from an `editor/title` button, nothing from keys or the palette. */
export function reviewTarget(argument: unknown): ReviewTarget | undefined {
  if (typeof argument === "string" || argument instanceof vscode.Uri) return argument;
  return undefined;
}

interface Review {
  event: PendingProposal;
  doc: vscode.Uri;
  accepted: Set<HunkId>;
  rejected: Set<HunkId>;
  finishing: boolean;
}

export class ReviewController implements vscode.Disposable, vscode.CodeLensProvider {
  private readonly fs = new MemFs();
  private readonly reviews = new Map<string, Review>();
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.lensesChanged.event;
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly execute: Execute) {
    this.disposables = [
      vscode.workspace.registerFileSystemProvider(SCHEME, this.fs, { isCaseSensitive: true }),
      vscode.languages.registerCodeLensProvider({ scheme: SCHEME }, this),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.scheme === SCHEME) this.lensesChanged.fire();
      }),
      // Closing the diff decides nothing: the proposal waits, and can be opened again.
      vscode.window.tabGroups.onDidChangeTabs((e) => {
        for (const tab of e.closed) {
          const input = tab.input;
          if (!(input instanceof vscode.TabInputTextDiff) || input.modified.scheme !== SCHEME) continue;
          const review = this.reviewForDoc(input.modified);
          if (review && !review.finishing) this.announce(review, "is still waiting for your review");
        }
      }),
      this.lensesChanged,
    ];
  }

  async onProposal(event: ProposalEvent): Promise<void> {
    const known = this.reviews.get(event.proposalId);
    if (event.status !== "pending") {
      if (known) await this.close(known);
      if (event.status === "stale") {
        void vscode.window.showWarningMessage(`Claude's change to ${path.basename(vscode.Uri.parse(event.uri).fsPath)} is stale: the file changed under it.`);
      }
      return;
    }
    if (known) return;
    if (event.hunks === undefined || event.oldText === undefined || event.newText === undefined) {
      throw new Error(`proposal ${event.proposalId} is pending but lacks its text or hunks`);
    }
    const target = vscode.Uri.parse(event.uri);
    const doc = vscode.Uri.from({ scheme: SCHEME, path: `/${event.proposalId}/${path.basename(target.path)}` });
    const review: Review = { event: event as PendingProposal, doc, accepted: new Set(), rejected: new Set(), finishing: false };
    this.reviews.set(event.proposalId, review);
    this.fs.set(doc, event.newText);
    this.updateContext();
    if (vscode.workspace.getConfiguration("lspAgent.review").get<boolean>("openDiff", true)) await this.show(review);
    else this.announce(review, "is ready for review");
    this.lensesChanged.fire();
  }

  private async show(review: Review): Promise<void> {
    const target = vscode.Uri.parse(review.event.uri);
    const title = `Claude: ${path.basename(target.path)} (current ↔ proposed)`;
    await vscode.commands.executeCommand("vscode.diff", target, review.doc, title, { preview: false });
  }

  /** A notification with "Review" instead of the diff: the editor keeps the focus. */
  private announce(review: Review, state: string): void {
    const name = path.basename(vscode.Uri.parse(review.event.uri).path);
    void vscode.window.showInformationMessage(`Claude's change to ${name} ${state}.`, "Review").then(async (choice) => {
      if (choice && this.reviews.get(review.event.proposalId) === review) await this.show(review);
    });
  }

  /** How many proposals wait for review, in one session or in all. */
  pendingCount(sessionId?: string): number {
    return this.pending(sessionId).length;
  }

  private pending(sessionId?: string): Review[] {
    return [...this.reviews.values()].filter(
      (r) => !r.finishing && (sessionId === undefined || r.event.sessionId === sessionId),
    );
  }

  /** Open a pending proposal's diff again (after its tab was closed, or from a notification or
   * the sessions list, then only that session's). */
  async reopen(sessionId?: string): Promise<void> {
    const pending = this.pending(sessionId);
    if (pending.length === 0) {
      void vscode.window.showInformationMessage("No Claude proposal is waiting for review.");
      return;
    }
    const items = pending.map((review) => ({
      label: path.basename(vscode.Uri.parse(review.event.uri).path),
      description: review.event.description,
      review,
    }));
    const picked = items.length === 1 ? items[0] : await vscode.window.showQuickPick(items, { title: "Review which change?" });
    if (picked) await this.show(picked.review);
  }

  // -- commands --------------------------------------------------------------------------

  /** `target`: a proposal id (CodeLens, with `hunkId`), the document the command was invoked
   * on (editor title buttons pass the editor's resource), or nothing (keys, palette). */
  async decideHunk(accept: boolean, target?: ReviewTarget, hunkId?: HunkId): Promise<void> {
    const found = typeof target === "string" ? this.withHunk(target, hunkId) : this.hunkAtCursor(target);
    if (!found) {
      void vscode.window.showInformationMessage("No Claude proposal hunk to review here.");
      return;
    }
    const { review, hunk } = found;
    if (accept) {
      review.accepted.add(hunk.id);
    } else {
      await this.revertHunk(review, hunk);
      review.rejected.add(hunk.id);
    }
    this.lensesChanged.fire();
    if (this.undecided(review).length === 0) await this.finish(review, this.isEdited(review));
  }

  async decideAll(accept: boolean, target?: ReviewTarget): Promise<void> {
    const review = typeof target === "string" ? this.reviews.get(target) : this.reviewAtCursor(target);
    if (!review) {
      void vscode.window.showInformationMessage("No Claude proposal to review.");
      return;
    }
    const edited = this.isEdited(review);
    for (const hunk of this.undecided(review)) {
      if (accept) review.accepted.add(hunk.id);
      else review.rejected.add(hunk.id);
    }
    await this.finish(review, edited);
  }

  // -- CodeLens ------------------------------------------------------------------------

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const review = this.reviewForDoc(document.uri);
    if (!review) return [];
    const top = new vscode.Range(0, 0, 0, 0);
    const id = review.event.proposalId;
    const lenses = [
      new vscode.CodeLens(top, { title: "Accept all", command: "lspAgent.acceptAll", arguments: [id] }),
      new vscode.CodeLens(top, { title: "Reject all", command: "lspAgent.rejectAll", arguments: [id] }),
    ];
    const undecided = new Set(this.undecided(review).map((h) => h.id));
    for (const span of hunkLines(review.event.hunks, this.kept(review), "new")) {
      if (!undecided.has(span.hunk.id)) continue;
      const at = new vscode.Range(span.first, 0, span.first, 0);
      const args = [id, span.hunk.id];
      lenses.push(
        new vscode.CodeLens(at, { title: "Accept hunk", command: "lspAgent.acceptHunk", arguments: args }),
        new vscode.CodeLens(at, { title: "Reject hunk", command: "lspAgent.rejectHunk", arguments: args }),
      );
    }
    return lenses;
  }

  // -- internals -----------------------------------------------------------------------

  private undecided(review: Review): Hunk[] {
    return review.event.hunks.filter((h) => !review.accepted.has(h.id) && !review.rejected.has(h.id));
  }

  /** Hunks the proposal document shows as changed: all but the rejected ones. */
  private kept(review: Review): Set<HunkId> {
    return new Set(review.event.hunks.filter((h) => !review.rejected.has(h.id)).map((h) => h.id));
  }

  private reviewForDoc(uri: vscode.Uri): Review | undefined {
    if (uri.scheme === SCHEME) return this.reviews.get(uri.path.split("/")[1] ?? "");
    const target = uri.toString();
    const matching = [...this.reviews.values()].filter((r) => vscode.Uri.parse(r.event.uri).toString() === target);
    return matching[matching.length - 1];
  }

  /** The review of `uri` (the document a title button was clicked on), else of the active
   * editor, else the latest. */
  private reviewAtCursor(uri?: vscode.Uri): Review | undefined {
    if (uri) return this.reviewForDoc(uri);
    const editor = vscode.window.activeTextEditor;
    const review = editor ? this.reviewForDoc(editor.document.uri) : undefined;
    return review ?? [...this.reviews.values()].pop();
  }

  private hunkAtCursor(uri?: vscode.Uri): { review: Review; hunk: Hunk } | undefined {
    const editor = vscode.window.activeTextEditor;
    const review = this.reviewAtCursor(uri);
    if (!review) return undefined;
    const undecided = new Set(this.undecided(review).map((h) => h.id));
    const onProposal = editor?.document.uri.scheme === SCHEME;
    const spans = hunkLines(review.event.hunks, this.kept(review), onProposal ? "new" : "old");
    const line = editor && this.reviewForDoc(editor.document.uri) === review ? editor.selection.active.line : 0;
    const hunk = hunkNear(spans, line, undecided);
    return hunk ? { review, hunk } : undefined;
  }

  private withHunk(proposalId: string, hunkId?: HunkId): { review: Review; hunk: Hunk } | undefined {
    const review = this.reviews.get(proposalId);
    const hunk = review?.event.hunks.find((h) => h.id === hunkId);
    return review && hunk ? { review, hunk } : undefined;
  }

  private openDoc(review: Review): vscode.TextDocument | undefined {
    return vscode.workspace.textDocuments.find((d) => d.uri.toString() === review.doc.toString());
  }

  /** The proposal as it stands: the user's unsaved edits, else what the file system holds. */
  private proposalText(review: Review): string {
    const open = this.openDoc(review);
    return open?.isDirty ? open.getText() : new TextDecoder().decode(this.fs.readFile(review.doc));
  }

  /** Put the hunk's old text back into the proposal document. */
  private async revertHunk(review: Review, hunk: Hunk): Promise<void> {
    const { oldText, hunks } = review.event;
    const before = applyHunks(oldText, hunks, this.kept(review));
    const current = this.proposalText(review);
    const after = new Set(this.kept(review));
    after.delete(hunk.id);
    let next: string | undefined = applyHunks(oldText, hunks, after);
    if (current !== before) {
      // The user edited the proposal: revert just this hunk where it still reads as proposed.
      const at = current.indexOf(hunk.newText);
      next = hunk.newText && at >= 0 ? current.slice(0, at) + hunk.oldText + current.slice(at + hunk.newText.length) : undefined;
    }
    if (next === undefined) {
      void vscode.window.showWarningMessage("Could not find that hunk in the edited proposal; it is rejected all the same.");
      return;
    }
    await this.replaceProposalText(review, next);
  }

  private async replaceProposalText(review: Review, text: string): Promise<void> {
    if (!this.openDoc(review)?.isDirty) {
      // Through the file system the document reloads and stays clean: closing it later
      // then asks nothing.
      this.fs.set(review.doc, text);
      return;
    }
    const document = await vscode.workspace.openTextDocument(review.doc);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(review.doc, new vscode.Range(0, 0, document.lineCount, 0), text);
    await vscode.workspace.applyEdit(edit);
  }

  /** Whether the user changed the proposal document beyond the hunk decisions. */
  private isEdited(review: Review): boolean {
    const { oldText, hunks } = review.event;
    return (this.proposalText(review)) !== applyHunks(oldText, hunks, this.kept(review));
  }

  private async finish(review: Review, edited: boolean): Promise<void> {
    if (review.finishing) return;
    review.finishing = true;
    const { proposalId, hunks } = review.event;
    const accepted = hunks.filter((h) => review.accepted.has(h.id)).map((h) => h.id);
    try {
      if (edited) {
        await this.execute("lspAgent.acceptEdits", { proposalId, text: this.proposalText(review) });
      } else if (accepted.length === 0) {
        const reason = await vscode.window.showInputBox({
          title: "Reject Claude's change",
          prompt: "Why? Claude reads this with the rejection (optional: leave it empty, or press Escape, to reject without a reason).",
          placeHolder: "reason (optional)",
        });
        await this.execute("lspAgent.rejectEdits", reason ? { proposalId, reason } : { proposalId });
      } else if (accepted.length === hunks.length) {
        await this.execute("lspAgent.acceptEdits", { proposalId });
      } else {
        await this.execute("lspAgent.acceptEdits", { proposalId, hunks: accepted });
      }
    } catch (error) {
      void vscode.window.showErrorMessage(`LSP Agent: answering the proposal failed: ${String(error)}`);
    } finally {
      await this.close(review);
    }
  }

  private async close(review: Review): Promise<void> {
    this.reviews.delete(review.event.proposalId);
    const open = this.openDoc(review);
    // The user's edits were sent with the answer; discard them so closing asks nothing.
    if (open?.isDirty) await vscode.commands.executeCommand("workbench.action.files.revert", review.doc);
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((tab) => {
      const input = tab.input;
      if (input instanceof vscode.TabInputTextDiff) return input.modified.toString() === review.doc.toString();
      return input instanceof vscode.TabInputText && input.uri.toString() === review.doc.toString();
    });
    if (tabs.length > 0) await vscode.window.tabGroups.close(tabs);
    this.fs.remove(review.doc);
    this.updateContext();
    this.lensesChanged.fire();
  }

  private updateContext(): void {
    void vscode.commands.executeCommand("setContext", "lspAgent.reviewing", this.reviews.size > 0);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
