// How to start lsp-agent, and which settings it gets: only those the user set, so the
// server's own layers (environment, defaults) still apply to the rest.
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";

export const SECTION = "lspAgent";

/** Keys the server understands (README, "Settings"); `server.*` belongs to this extension. */
const SERVER_KEYS = [
  "model",
  "fallbackModel",
  "maxTokens",
  "thinkingBudget",
  "permissionMode",
  "maxTurns",
  "maxBudgetUsd",
  "apiBaseUrl",
  "provider",
  "openaiBaseUrl",
  "openaiApiKeyEnv",
  "openaiHeaders",
  "contextWindow",
  "inputPricePerMtok",
  "outputPricePerMtok",
  "toolEnvPassthrough",
  "permissionPromptTimeout",
  "logLevel",
  "index.enabled",
  "index.exclude",
  "index.maxFileSize",
  "index.maxFiles",
  "index.maxTotalSize",
  "plugins.dirs",
] as const;

/** Keys that decide where the code and the credentials go (the server's config.USER_ONLY). */
const USER_ONLY = new Set<string>([
  "apiBaseUrl",
  "provider",
  "openaiBaseUrl",
  "openaiApiKeyEnv",
  "openaiHeaders",
  "toolEnvPassthrough",
  // Plugin directories run their hooks and MCP servers.
  "plugins.dirs",
]);

/** The settings to send: with `initialization`, the user-only keys from the user's own settings
 * too (the server takes them only from initializationOptions, never workspace/configuration). */
export function serverSettings(scope?: vscode.ConfigurationScope, initialization = false): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration(SECTION, scope);
  const settings: Record<string, unknown> = {};
  for (const key of SERVER_KEYS) {
    if (USER_ONLY.has(key) && !initialization) continue;
    const seen = config.inspect(key);
    // These receive the API key or the code, or run code: only the user's own settings may choose them.
    const value = USER_ONLY.has(key)
      ? seen?.globalValue
      : (seen?.workspaceFolderValue ?? seen?.workspaceValue ?? seen?.globalValue ?? undefined);
    if (value === undefined) continue;
    const [head, tail] = key.split(".");
    if (tail === undefined) {
      settings[head] = value;
    } else {
      const nested = (settings[head] ??= {}) as Record<string, unknown>;
      nested[tail] = value;
    }
  }
  return settings;
}

export interface ServerCommand {
  command: string;
  args: string[];
}

export function serverCommand(): ServerCommand {
  const config = vscode.workspace.getConfiguration(SECTION);
  const command = config.get<string[]>("server.command") ?? [];
  if (command.length > 0) return { command: command[0], args: command.slice(1) };
  const python = config.get<string>("server.python") ?? "";
  if (python) return { command: python, args: ["-m", "lsp_agent", "serve"] };
  return { command: "lsp-agent", args: ["serve"] };
}

/** The executable's full path, or undefined when it cannot be found. */
export function findExecutable(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const isFile = (candidate: string): boolean => {
    try {
      return fs.statSync(candidate).isFile();
    } catch {
      return false;
    }
  };
  if (command.includes("/") || command.includes(path.sep)) return isFile(command) ? command : undefined;
  const extensions = process.platform === "win32" ? (env.PATHEXT ?? ".EXE").split(";") : [""];
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    for (const extension of extensions) {
      const candidate = path.join(dir, command + extension);
      if (dir && isFile(candidate)) return candidate;
    }
  }
  return undefined;
}
