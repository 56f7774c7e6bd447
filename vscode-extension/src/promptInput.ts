// The Ask prompt with path completion: typing `@` lists the workspace's files; choosing one puts
// `@path ` into the prompt (the server attaches `@path` and `@path#L5-10`, docs/protocol.md).
// A QuickPick stands in for the input box, which cannot complete.
import * as vscode from "vscode";

const REFERENCE = /(^|\s)@([^\s@#]*)$/;
const MAX_FILES = 5000;
const SHOWN = 50;

export function askPrompt(title: string, prompt: string): Promise<string | undefined> {
  const pick = vscode.window.createQuickPick();
  pick.title = title;
  pick.placeholder = `${prompt} (@ attaches a file: @path or @path#L5-10)`;
  pick.ignoreFocusOut = true;
  let files: Promise<string[]> | undefined;
  const complete = async (): Promise<void> => {
    const value = pick.value;
    const match = REFERENCE.exec(value);
    if (!match) {
      pick.items = [];
      return;
    }
    files ??= Promise.resolve(
      vscode.workspace.findFiles("**/*", "**/{node_modules,.git}/**", MAX_FILES).then((found) =>
        found.map((uri) => vscode.workspace.asRelativePath(uri, false)).sort(),
      ),
    );
    const partial = (match[2] ?? "").toLowerCase();
    const head = value.slice(0, value.length - (match[2] ?? "").length);
    const names = (await files).filter((name) => name.toLowerCase().includes(partial)).slice(0, SHOWN);
    if (pick.value !== value) return; // typed on meanwhile
    pick.items = names.map((name) => ({ label: `${head}${name}`, description: "attach", alwaysShow: true }));
  };
  return new Promise((resolve) => {
    let done = false;
    pick.onDidChangeValue(() => void complete());
    pick.onDidAccept(() => {
      const chosen = pick.activeItems[0];
      if (chosen && pick.items.length > 0) {
        pick.value = `${chosen.label} `; // the reference is complete: go on typing
        pick.items = [];
        return;
      }
      done = true;
      resolve(pick.value.trim() || undefined);
      pick.hide();
    });
    pick.onDidHide(() => {
      if (!done) resolve(undefined);
      pick.dispose();
    });
    pick.show();
  });
}
