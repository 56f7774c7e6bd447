// The LSP surface this client speaks: docs/protocol.md in the repository.
import type { Range } from "vscode-languageclient/node";

export type HunkId = string | number;

export interface Hunk {
  id: HunkId;
  range: Range;
  oldText: string;
  newText: string;
}

export type ProposalStatus = "pending" | "applied" | "rejected" | "partial" | "stale";

export interface ProposalEvent {
  sessionId: string;
  kind: "proposal";
  proposalId: string;
  uri: string;
  version: number | null;
  description: string;
  status: ProposalStatus;
  // Sent with `pending` only: the later status updates carry just the outcome.
  oldText?: string;
  newText?: string;
  hunks?: Hunk[];
}

export type PendingProposal = Required<ProposalEvent>;

export type StreamEvent =
  | { sessionId: string; kind: "session"; title: string; action: string; uri?: string }
  | { sessionId: string; kind: "text"; text: string }
  | { sessionId: string; kind: "tool_use"; id: string; name: string; input: unknown; title: string }
  | { sessionId: string; kind: "tool_result"; id: string; content: string; isError: boolean }
  | ProposalEvent
  | {
      sessionId: string;
      kind: "permission";
      requestId: string;
      tool: string;
      input: unknown;
      reason: string;
      decision?: string;
    }
  | { sessionId: string; kind: "usage"; inputTokens: number; outputTokens: number; costUsd: number }
  | { sessionId: string; kind: "hook"; event: string; message: string }
  | {
      sessionId: string;
      kind: "done";
      subtype: string;
      result?: string;
      turns?: number;
      usage?: { inputTokens?: number; outputTokens?: number };
      costUsd?: number;
    }
  | { sessionId: string; kind: "error"; message: string };

export const STREAM = "lspAgent/stream";
export const DIAGNOSTICS = "lspAgent/diagnostics";

export interface SessionInfo {
  sessionId: string;
  title: string;
  cwd: string;
  updated: string;
  running: boolean;
}

// AskUserQuestion, for a client declaring `clientQuestions`: one answer per question, in order.
export const ASK_QUESTIONS = "lspAgent/askQuestions";

export interface Question {
  question: string;
  header: string;
  options: { label: string; description: string }[];
  multiSelect: boolean;
}

export interface AskQuestionsParams {
  questions: Question[];
}

export type AskQuestionsResult = { answers: string[] } | null;
