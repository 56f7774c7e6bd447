// Activation: start lsp-agent, wire its stream to the transcript, status bar and review, and
// register the commands. The server does the work; this stays thin.
import * as vscode from "vscode";
import {
  ExecuteCommandRequest,
  LanguageClient,
  type ResponseError,
  type LanguageClientOptions,
  type ServerOptions,
} from "vscode-languageclient/node";
import { ChangesView } from "./changes";
import { forwardDiagnostics } from "./diagnostics";
import { type PluginListing, showPlugins } from "./plugins";
import { ASK_QUESTIONS, askQuestions } from "./questions";
import { askPrompt } from "./promptInput";
import { type HunkId, type SessionInfo, STREAM, type StreamEvent } from "./protocol";
import { ReviewController, SCHEME, reviewTarget } from "./review";
import { SECTION, findExecutable, serverCommand, serverSettings } from "./server";
import { StatusItem } from "./status";
import { Transcript } from "./transcript";

let client: LanguageClient | undefined;
let clientDisposables: vscode.Disposable[] = [];

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const transcript = new Transcript();
  const status = new StatusItem();
  const review = new ReviewController((command, argument) => execute(command, argument));
  const changes = new ChangesView((command, argument) => execute(command, argument));
  context.subscriptions.push(transcript, status, review, changes, { dispose: () => void stopClient() });

  const onStream = (event: StreamEvent): void => {
    transcript.onEvent(event);
    status.onEvent(event);
    if (event.kind === "done") changes.onRunDone(event.sessionId);
    if (event.kind === "proposal") {
      review.onProposal(event).catch((error: unknown) => {
        void vscode.window.showErrorMessage(`LSP Agent: cannot show the proposal: ${String(error)}`);
      });
    }
  };

  const start = async (): Promise<void> => {
    status.starting();
    const started = await startClient(onStream).catch((error: unknown) => {
      void vscode.window.showErrorMessage(`LSP Agent: the server failed to start: ${String(error)}`);
      return false;
    });
    if (started) status.ready();
    else status.stopped("server not running");
  };

  const register = (name: string, handler: (...args: never[]) => unknown): void => {
    context.subscriptions.push(vscode.commands.registerCommand(name, handler));
  };
  register("lspAgent.askClaude", askClaude);
  register("lspAgent.fixFile", fixFile);
  register("lspAgent.cancelRun", async () => execute("lspAgent.cancel", {}).catch(reportFailure("Cancel")));
  // Title buttons pass the editor's resource URI, CodeLens a proposal id (and hunk id).
  register("lspAgent.acceptHunk", (target?: unknown, hunk?: HunkId) => review.decideHunk(true, reviewTarget(target), hunk));
  register("lspAgent.rejectHunk", (target?: unknown, hunk?: HunkId) => review.decideHunk(false, reviewTarget(target), hunk));
  register("lspAgent.acceptAll", (target?: unknown) => review.decideAll(true, reviewTarget(target)));
  register("lspAgent.rejectAll", (target?: unknown) => review.decideAll(false, reviewTarget(target)));
  register("lspAgent.showSessions", () => showSessions(review));
  register("lspAgent.reviewPending", () => review.reopen());
  const changeCommand = (run: (node?: never) => Promise<void>, what: string) => (node?: never) =>
    run(node).catch(reportFailure(what));
  register("lspAgent.showChanges", changeCommand(() => changes.show(), "Show changes"));
  register("lspAgent.openChange", changeCommand((node) => changes.open(node), "Open change"));
  register("lspAgent.revertChangeHunk", changeCommand((node) => changes.revertHunk(node), "Revert"));
  register("lspAgent.revertChangeFile", changeCommand((node) => changes.revertFile(node), "Revert file"));
  register("lspAgent.rewindRun", changeCommand((node) => changes.rewind(node), "Rewind"));
  register("lspAgent.showTranscript", () => transcript.show());
  const pluginOutput = vscode.window.createOutputChannel("LSP Agent Plugins");
  context.subscriptions.push(pluginOutput);
  register("lspAgent.showPlugins", async () => {
    const listing = (await execute("lspAgent.plugins", {}).catch(reportFailure("Listing plugins"))) as
      | PluginListing
      | undefined;
    if (listing) await showPlugins(listing, pluginOutput);
  });
  register("lspAgent.restartServer", async () => {
    await stopClient();
    await start();
  });
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration(`${SECTION}.server`)) {
        await stopClient();
        await start();
      }
    }),
  );
  context.subscriptions.push(
    vscode.workspace.onDidGrantWorkspaceTrust(async () => {
      await stopClient();
      await start();
    }),
  );
  await start();
}

export async function deactivate(): Promise<void> {
  await stopClient();
}

async function startClient(onStream: (event: StreamEvent) => void): Promise<boolean> {
  const { command, args } = serverCommand();
  if (!findExecutable(command)) {
    const open = "Open Settings";
    const message =
      `LSP Agent: cannot find the server command "${command}". Install lsp-agent (pip install lsp-agent) ` +
      `and put it on PATH, or set "lspAgent.server.command" or "lspAgent.server.python".`;
    void vscode.window.showErrorMessage(message, open).then((choice) => {
      if (choice === open) void vscode.commands.executeCommand("workbench.action.openSettings", "lspAgent.server");
    });
    return false;
  }
  const serverOptions: ServerOptions = { command, args, options: { env: process.env } };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: "file" }, { scheme: "untitled" }],
    // VS Code's Workspace Trust decides whether the folder's own .claude/ settings may take effect.
    initializationOptions: {
      ...serverSettings(undefined, true),
      clientReview: true,
      clientPrompt: true,
      clientQuestions: true,
      workspaceTrusted: vscode.workspace.isTrusted,
    },
    middleware: {
      // The "Ask Claude..." code action carries no prompt: ask for one here.
      executeCommand: async (name, args: unknown[], next): Promise<unknown> => {
        const argument = (args[0] ?? {}) as { prompt?: string; action?: string };
        if (name === "lspAgent.ask" && !argument.prompt && (argument.action ?? "ask") === "ask") {
          const prompt = await askPrompt("Ask Claude", "What should Claude do?");
          if (!prompt) return undefined;
          return (await next(name, [{ ...argument, prompt }, ...args.slice(1)])) as unknown;
        }
        return (await next(name, args)) as unknown;
      },
      workspace: {
        // Answer for our section with the server's settings only (not this extension's own).
        configuration: async (params, token, next) => {
          const result = (await next(params, token)) as unknown[] | ResponseError;
          if (!Array.isArray(result)) return result;
          const answers = result;
          return params.items.map((item, index): unknown =>
            item.section === SECTION
              ? serverSettings(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined)
              : answers[index],
          );
        },
      },
    },
  };
  const created = new LanguageClient("lspAgent", "LSP Agent", serverOptions, clientOptions);
  client = created;
  clientDisposables = [created.onNotification(STREAM, onStream), created.onRequest(ASK_QUESTIONS, askQuestions)];
  await created.start();
  clientDisposables.push(forwardDiagnostics(created));
  return true;
}

async function stopClient(): Promise<void> {
  const running = client;
  client = undefined;
  for (const d of clientDisposables) d.dispose();
  clientDisposables = [];
  if (running?.needsStop()) await running.stop();
}

async function execute(command: string, argument: object): Promise<unknown> {
  if (!client) throw new Error("the lsp-agent server is not running");
  return client.sendRequest(ExecuteCommandRequest.type, { command, arguments: [argument] });
}

function reportFailure(what: string) {
  return (error: unknown): void => {
    void vscode.window.showErrorMessage(`LSP Agent: ${what} failed: ${error instanceof Error ? error.message : String(error)}`);
  };
}

function editorTarget(): { uri: string; range?: object } | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.uri.scheme === SCHEME || !client) return undefined;
  const uri = client.code2ProtocolConverter.asUri(editor.document.uri);
  const selection = editor.selection;
  return selection.isEmpty ? { uri } : { uri, range: client.code2ProtocolConverter.asRange(selection) };
}

async function askClaude(): Promise<void> {
  const target = editorTarget();
  if (!target) {
    void vscode.window.showInformationMessage("LSP Agent: open a file first (and start the server).");
    return;
  }
  const prompt = await askPrompt("Ask Claude", target.range ? "About the selection" : "About this file");
  if (prompt) await execute("lspAgent.ask", { ...target, prompt }).catch(reportFailure("Ask Claude"));
}

async function fixFile(): Promise<void> {
  const target = editorTarget();
  if (target) await execute("lspAgent.fixDiagnostics", { uri: target.uri }).catch(reportFailure("Fix diagnostics"));
}

async function showSessions(review: ReviewController): Promise<void> {
  const sessions = (await execute("lspAgent.sessions", {}).catch(reportFailure("Listing sessions"))) as
    | SessionInfo[]
    | undefined;
  if (!sessions) return;
  const picked = await vscode.window.showQuickPick(
    sessions.map((s) => {
      // A proposal whose diff tab was closed waits here too (review.openDiff, docs/protocol.md).
      const waiting = review.pendingCount(s.sessionId);
      return {
        label: `${s.running ? "$(loading~spin) " : ""}${s.title}`,
        description: waiting ? `$(diff) ${waiting} change(s) waiting for review · ${s.updated}` : s.updated,
        detail: s.cwd,
        session: s,
        waiting,
      };
    }),
    { title: "Claude sessions: pick one to continue" },
  );
  if (!picked) return;
  if (picked.waiting) {
    const REVIEW = "Review the pending changes";
    const action = await vscode.window.showQuickPick([REVIEW, "Continue the session"], { title: picked.session.title });
    if (!action) return;
    if (action === REVIEW) return review.reopen(picked.session.sessionId);
  }
  const prompt = await vscode.window.showInputBox({ title: `Continue: ${picked.session.title}` });
  if (!prompt) return;
  const target = editorTarget();
  await execute("lspAgent.resume", { sessionId: picked.session.sessionId, prompt, uri: target?.uri }).catch(
    reportFailure("Resume"),
  );
}
