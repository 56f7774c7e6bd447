// Claude's questions (AskUserQuestion): the server's lspAgent/askQuestions request, answered
// with a quick pick per question: each option with its description, "Other..." for an answer
// in the user's own words, checkboxes for a multiSelect question (docs/protocol.md).
import * as vscode from "vscode";
import type { AskQuestionsParams, AskQuestionsResult, Question } from "./protocol";

export { ASK_QUESTIONS } from "./protocol";

interface Choice extends vscode.QuickPickItem {
  other?: boolean;
}

const OTHER: Choice = { label: "Other...", description: "answer in your own words", other: true };

/** The answers in question order, or null when the user dismissed a picker. */
export async function askQuestions(params: AskQuestionsParams): Promise<AskQuestionsResult> {
  const answers: string[] = [];
  const questions = params.questions ?? [];
  for (const [index, question] of questions.entries()) {
    const step = questions.length > 1 ? ` (${index + 1}/${questions.length})` : "";
    const answer = await ask(question, `Claude asks${question.header ? `: ${question.header}` : ""}${step}`);
    if (answer === undefined) return null;
    answers.push(answer);
  }
  return { answers };
}

async function ask(question: Question, title: string): Promise<string | undefined> {
  const items: Choice[] = [
    ...question.options.map((o) => ({ label: o.label, description: o.description || undefined })),
    OTHER,
  ];
  const options = { title, placeHolder: question.question, ignoreFocusOut: true, matchOnDescription: true };
  const picked = question.multiSelect
    ? await vscode.window.showQuickPick(items, { ...options, canPickMany: true })
    : await vscode.window.showQuickPick(items, options).then((one) => (one ? [one] : undefined));
  if (!picked || picked.length === 0) return undefined;
  const labels = picked.filter((c) => !c.other).map((c) => c.label);
  if (picked.some((c) => c.other)) {
    const words = await vscode.window.showInputBox({ title, prompt: question.question, ignoreFocusOut: true });
    if (!words?.trim()) return undefined;
    labels.push(words.trim());
  }
  return labels.join(", ");
}
