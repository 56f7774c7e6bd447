// A session's change sets (docs/protocol.md, "Reviewing a run's changes"): the "Claude Changes"
// tree lists every run with the files it changed and their hunks (also after an acceptEdits run,
// where nothing was asked); a file opens as a diff of its text before the run against the file
// now. Revert a hunk, a file, or rewind runs since a prompt: the server computes each revert
// three-way against the buffers and sends one versioned edit, so text typed since stays.
import * as path from "node:path";
import * as vscode from "vscode";
import type { Execute } from "./review";

export const BEFORE_SCHEME = "lsp-agent-before";

interface ChangedHunk {
  id: number;
  line: number | null; // where it starts in the file now; null: the user changed it since
  oldText: string;
  newText: string;
}

interface ChangedFile {
  uri: string;
  path: string;
  created: boolean;
  before: string | null;
  after: string;
  hunks: ChangedHunk[];
}

interface Run {
  run: number;
  prompt: string;
  files: ChangedFile[];
  untracked: string[];
}

interface Listing {
  sessionId: string;
  runs: Run[];
}

interface RevertAnswer {
  applied: boolean;
  message?: string;
  conflicts: { uri: string; hunk?: number; message: string }[];
  conversation?: string;
}

type Node =
  | { kind: "run"; run: Run }
  | { kind: "file"; run: Run; file: ChangedFile }
  | { kind: "hunk"; run: Run; file: ChangedFile; hunk: ChangedHunk }
  | { kind: "untracked"; run: Run; command: string };

const firstLine = (text: string): string => text.split("\n")[0] ?? "";

export class ChangesView implements vscode.TreeDataProvider<Node>, vscode.TextDocumentContentProvider, vscode.Disposable {
  private session: string | undefined;
  private listing: Listing | undefined;
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly execute: Execute) {
    this.disposables = [
      vscode.window.registerTreeDataProvider("lspAgent.changesView", this),
      vscode.workspace.registerTextDocumentContentProvider(BEFORE_SCHEME, this),
      this.changed,
    ];
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  /** A run ended: its session's change set is the one to show. */
  onRunDone(sessionId: string): void {
    this.session = sessionId;
    void this.refresh();
  }

  async refresh(): Promise<Listing | undefined> {
    if (!this.session) return undefined;
    this.listing = (await this.execute("lspAgent.changes", { sessionId: this.session })) as Listing;
    this.changed.fire(undefined);
    return this.listing;
  }

  // -- the tree --------------------------------------------------------------------------

  getChildren(node?: Node): Node[] {
    if (!node) return (this.listing?.runs ?? []).map((run) => ({ kind: "run", run }));
    if (node.kind === "run") {
      return [
        ...node.run.files.map((file): Node => ({ kind: "file", run: node.run, file })),
        ...node.run.untracked.map((command): Node => ({ kind: "untracked", run: node.run, command })),
      ];
    }
    if (node.kind === "file") return node.file.hunks.map((hunk) => ({ kind: "hunk", run: node.run, file: node.file, hunk }));
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const collapsed = vscode.TreeItemCollapsibleState;
    if (node.kind === "run") {
      const item = new vscode.TreeItem(`${node.run.run}. ${firstLine(node.run.prompt)}`, collapsed.Expanded);
      item.description = `${node.run.files.length} file(s)`;
      item.contextValue = "run";
      return item;
    }
    if (node.kind === "file") {
      const item = new vscode.TreeItem(path.basename(node.file.path), collapsed.Expanded);
      item.description = `${node.file.created ? "created, " : ""}${node.file.hunks.length} hunk(s)`;
      item.resourceUri = vscode.Uri.parse(node.file.uri);
      item.contextValue = "file";
      item.command = { command: "lspAgent.openChange", title: "Open Diff", arguments: [node] };
      return item;
    }
    if (node.kind === "hunk") {
      const { hunk } = node;
      const item = new vscode.TreeItem(`-${firstLine(hunk.oldText)} +${firstLine(hunk.newText)}`, collapsed.None);
      item.description = hunk.line === null ? "changed since the run" : `line ${hunk.line + 1}`;
      item.contextValue = "hunk";
      item.command = { command: "lspAgent.openChange", title: "Open Diff", arguments: [node] };
      return item;
    }
    const item = new vscode.TreeItem(`not tracked: ${node.command}`, collapsed.None);
    item.tooltip = "Changed by a shell command: not recorded, so it cannot be reverted";
    return item;
  }

  /** The text of a file before a run, for the left side of its diff. */
  provideTextDocumentContent(uri: vscode.Uri): string {
    const { run, file: fileUri } = JSON.parse(uri.query) as { run: number; file: string };
    const file = this.listing?.runs.find((r) => r.run === run)?.files.find((f) => f.uri === fileUri);
    return file?.before ?? "";
  }

  // -- commands --------------------------------------------------------------------------

  async show(): Promise<void> {
    await this.refresh();
    await vscode.commands.executeCommand("lspAgent.changesView.focus");
  }

  async open(node?: Node): Promise<void> {
    if (!node || node.kind === "run" || node.kind === "untracked") return;
    const target = vscode.Uri.parse(node.file.uri);
    const query = JSON.stringify({ run: node.run.run, file: node.file.uri });
    const before = vscode.Uri.from({ scheme: BEFORE_SCHEME, path: `/${path.basename(target.path)}`, query });
    const title = `Claude run ${node.run.run}: ${path.basename(target.path)} (before ↔ now)`;
    await vscode.commands.executeCommand("vscode.diff", before, target, title, { preview: true });
    if (node.kind === "hunk" && node.hunk.line !== null && vscode.window.activeTextEditor) {
      const position = new vscode.Position(node.hunk.line, 0);
      vscode.window.activeTextEditor.selection = new vscode.Selection(position, position);
      vscode.window.activeTextEditor.revealRange(new vscode.Range(position, position));
    }
  }

  /** Revert one hunk: the tree's, or one picked from the change set. */
  async revertHunk(node?: Node): Promise<void> {
    const picked = node?.kind === "hunk" ? node : await this.pick("hunk", "Revert which of Claude's changes?");
    if (picked?.kind !== "hunk") return;
    await this.revert({ run: picked.run.run, uri: picked.file.uri, hunks: [picked.hunk.id] });
  }

  async revertFile(node?: Node): Promise<void> {
    const picked = node?.kind === "file" || node?.kind === "hunk" ? node : await this.pick("file", "Revert Claude's changes to which file?");
    if (picked?.kind !== "file" && picked?.kind !== "hunk") return;
    await this.revert({ run: picked.run.run, uri: picked.file.uri });
  }

  /** Undo every run from the chosen prompt on, as one edit; optionally the conversation too. */
  async rewind(node?: Node): Promise<void> {
    const picked = node?.kind === "run" ? node : await this.pick("run", "Rewind to before which prompt?");
    if (picked?.kind !== "run") return;
    const choice = await vscode.window.showQuickPick(["Restore code", "Restore code and conversation"], {
      title: `Rewind to before prompt ${picked.run.run}`,
    });
    if (!choice) return;
    const answer = (await this.execute("lspAgent.rewind", {
      sessionId: this.session,
      run: picked.run.run,
      conversation: choice.endsWith("conversation"),
    })) as RevertAnswer;
    this.report(answer, `Rewound to before prompt ${picked.run.run}.`);
    await this.refresh();
  }

  private async revert(argument: { run: number; uri: string; hunks?: number[] }): Promise<void> {
    const answer = (await this.execute("lspAgent.revertChanges", { sessionId: this.session, ...argument })) as RevertAnswer;
    this.report(answer, "Reverted.");
    await this.refresh();
  }

  private report(answer: RevertAnswer, done: string): void {
    if (!answer.applied) {
      void vscode.window.showErrorMessage(`LSP Agent: not reverted: ${answer.message ?? "the editor did not apply it"}`);
    } else if (answer.conflicts.length > 0) {
      const lines = answer.conflicts.map((c) => `${path.basename(vscode.Uri.parse(c.uri).fsPath)}: ${c.message}`);
      void vscode.window.showWarningMessage(`LSP Agent: left as they are: ${lines.join("; ")}`);
    } else {
      void vscode.window.setStatusBarMessage(`LSP Agent: ${done}`, 5000);
    }
  }

  private async pick(kind: Node["kind"], title: string): Promise<Node | undefined> {
    const listing = await this.refresh();
    if (!listing) {
      void vscode.window.showInformationMessage("LSP Agent: no Claude run in this window yet.");
      return undefined;
    }
    const nodes: Node[] = [];
    const walk = (list: Node[]): void => {
      for (const n of list) {
        if (n.kind === kind) nodes.push(n);
        walk(this.getChildren(n));
      }
    };
    walk(this.getChildren());
    const items = nodes.map((node) => {
      const item = this.getTreeItem(node);
      const where = node.kind === "hunk" || node.kind === "file" ? `${path.basename(node.file.path)}, run ${node.run.run}` : "";
      const label = typeof item.label === "string" ? item.label : (item.label?.label ?? "");
      return { label, description: [where, String(item.description ?? "")].filter(Boolean).join(": "), node };
    });
    return (await vscode.window.showQuickPick(items, { title }))?.node;
  }
}
