// Forward every provider's diagnostics for open files to the server (lspAgent/diagnostics), so
// "Fix with Claude" and the agent see what the editor sees.
import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import { DIAGNOSTICS } from "./protocol";
import { SCHEME } from "./review";

export function forwardDiagnostics(client: LanguageClient): vscode.Disposable {
  const send = async (uri: vscode.Uri): Promise<void> => {
    if (uri.scheme === SCHEME || !client.isRunning()) return;
    const open = vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString());
    if (!open) return;
    const diagnostics = await client.code2ProtocolConverter.asDiagnostics(vscode.languages.getDiagnostics(uri));
    await client.sendNotification(DIAGNOSTICS, { uri: client.code2ProtocolConverter.asUri(uri), diagnostics });
  };
  const report = (error: unknown): void => client.warn("forwarding diagnostics failed", error, false);
  for (const document of vscode.workspace.textDocuments) send(document.uri).catch(report);
  return vscode.Disposable.from(
    vscode.languages.onDidChangeDiagnostics((e) => {
      for (const uri of e.uris) send(uri).catch(report);
    }),
    vscode.workspace.onDidOpenTextDocument((d) => send(d.uri).catch(report)),
  );
}
