// "LSP Agent: Show Plugins": the server's `lspAgent.plugins` listing (docs/plugins.md) in a
// quick pick: each loaded plugin with its parts, then each plugin that failed and each problem.
// Sensitive option values arrive already redacted by the server.
import * as vscode from "vscode";

interface PluginRow {
  name: string;
  version: string;
  origin: string;
  root: string;
  commands?: string[];
  skills?: string[];
  agents?: string[];
  hooks?: string[];
  mcpServers?: string[];
  lspServers?: string[];
  agent?: string;
  notes?: string[];
}

export interface PluginListing {
  loaded: PluginRow[];
  failed: { id: string; where: string; reason: string }[];
  problems: string[];
}

type Item = vscode.QuickPickItem & { text?: string };

function parts(row: PluginRow): string {
  const kinds: [string, string[] | undefined][] = [
    ["commands", row.commands],
    ["skills", row.skills],
    ["agents", row.agents],
    ["hooks", row.hooks],
    ["MCP", row.mcpServers],
    ["LSP (not started)", row.lspServers],
  ];
  const found = kinds.filter(([, names]) => names && names.length).map(([kind, names]) => `${kind}: ${names!.join(", ")}`);
  if (row.agent) found.push(`main agent: ${row.agent}`);
  return found.join(" · ") || "no parts";
}

export function pluginItems(listing: PluginListing): Item[] {
  const items: Item[] = listing.loaded.map((row) => ({
    label: `$(extensions) ${row.name}${row.version ? ` ${row.version}` : ""}`,
    description: row.origin,
    detail: parts(row),
    text: [row.root, ...(row.notes ?? [])].join("\n"),
  }));
  if (!listing.loaded.length) items.push({ label: "No plugins loaded" });
  for (const failure of listing.failed) {
    const text = `${failure.id ? `${failure.id}: ` : ""}${failure.where}: ${failure.reason}`;
    items.push({ label: `$(error) Failed: ${failure.id || failure.where}`, detail: failure.reason, text });
  }
  for (const problem of listing.problems) items.push({ label: "$(warning) Problem", detail: problem, text: problem });
  return items;
}

/** Shows the listing; the picked row's full text (root and notes, or the whole message) goes
 * to an output channel, where it can be read and copied. */
export async function showPlugins(listing: PluginListing, output: vscode.OutputChannel): Promise<void> {
  const failed = listing.failed.length + listing.problems.length;
  const picked = await vscode.window.showQuickPick(pluginItems(listing), {
    title: `Claude Code plugins: ${listing.loaded.length} loaded${failed ? `, ${failed} failure(s) or problem(s)` : ""}`,
    matchOnDetail: true,
  });
  if (!picked?.text) return;
  output.appendLine(`${picked.label.replace(/^\$\([a-z-]+\) /, "")}\n${picked.text}\n`);
  output.show(true);
}
