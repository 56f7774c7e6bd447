// The transcript: an output channel that streams lspAgent/stream events as readable text.
import * as vscode from "vscode";
import type { StreamEvent } from "./protocol";

export class Transcript implements vscode.Disposable {
  readonly channel = vscode.window.createOutputChannel("Claude Transcript");
  private atLineStart = true;

  show(): void {
    this.channel.show(true);
  }

  onEvent(event: StreamEvent): void {
    switch (event.kind) {
      case "session":
        this.line(`\n## ${event.title} (${event.sessionId})`);
        this.show();
        break;
      case "text":
        this.channel.append(event.text);
        this.atLineStart = event.text.endsWith("\n");
        break;
      case "tool_use":
        this.line(`> ${event.title || event.name}`);
        break;
      case "tool_result":
        this.line(`${event.isError ? "  x " : "  = "}${firstLine(event.content)}`);
        break;
      case "proposal":
        this.line(`* proposal ${event.proposalId} [${event.status}]: ${event.description}` +
          (event.hunks ? ` (${event.hunks.length} ${event.hunks.length === 1 ? "hunk" : "hunks"})` : ""));
        break;
      case "permission":
        this.line(`? ${event.tool}: ${event.reason}${event.decision ? ` -> ${event.decision}` : ""}`);
        break;
      case "hook":
        this.line(`  hook ${event.event}: ${event.message}`);
        break;
      case "error":
        this.line(`! ${event.message}`);
        break;
      case "done":
        this.line(`-- ${event.subtype}${event.turns !== undefined ? `, ${event.turns} turns` : ""}` +
          (event.costUsd !== undefined ? `, $${event.costUsd.toFixed(4)}` : ""));
        break;
      case "usage":
        break;
    }
  }

  private line(text: string): void {
    this.channel.appendLine((this.atLineStart ? "" : "\n") + text);
    this.atLineStart = true;
  }

  dispose(): void {
    this.channel.dispose();
  }
}

function firstLine(content: unknown): string {
  const text = typeof content === "string" ? content : JSON.stringify(content);
  const line = text.split("\n", 1)[0] ?? "";
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}
