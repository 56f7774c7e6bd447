// The status bar item: idle or running, and the tokens and cost of the latest session.
import * as vscode from "vscode";
import type { StreamEvent } from "./protocol";

export class StatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 100);
  private readonly running = new Set<string>();
  private usage = "";
  private started = false;

  constructor() {
    this.item.name = "LSP Agent";
    this.item.command = "lspAgent.showTranscript";
    this.render();
    this.item.show();
  }

  starting(): void {
    this.started = false;
    this.render();
  }

  /** The server answered `initialize`: from now on the item says idle or running. */
  ready(): void {
    this.started = true;
    this.render();
  }

  stopped(message: string): void {
    this.started = false;
    this.running.clear();
    this.item.text = `$(error) Claude: ${message}`;
  }

  onEvent(event: StreamEvent): void {
    switch (event.kind) {
      case "session":
        this.running.add(event.sessionId);
        break;
      case "usage":
        this.usage = `${formatTokens(event.inputTokens + event.outputTokens)} tokens, $${event.costUsd.toFixed(2)}`;
        break;
      case "done":
        this.running.delete(event.sessionId);
        if (event.costUsd !== undefined) {
          const tokens = (event.usage?.inputTokens ?? 0) + (event.usage?.outputTokens ?? 0);
          this.usage = `${formatTokens(tokens)} tokens, $${event.costUsd.toFixed(2)}`;
        }
        break;
      default:
        return;
    }
    this.render();
  }

  private render(): void {
    if (!this.started) {
      this.item.text = "$(sync~spin) Claude: starting";
      return;
    }
    const state = this.running.size > 0 ? "$(loading~spin) Claude: running" : "$(sparkle) Claude: idle";
    this.item.text = this.usage ? `${state} (${this.usage})` : state;
    this.item.tooltip = "LSP Agent: show the transcript";
  }

  dispose(): void {
    this.item.dispose();
  }
}

function formatTokens(count: number): string {
  return count >= 1000 ? `${(count / 1000).toFixed(1)}k` : String(count);
}
