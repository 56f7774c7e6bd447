// Drives a real VS Code (code-server) in headless Chromium: open a JSON file with a trailing
// comma, run the quick fix "Fix with Claude", review the proposed diff, accept it, and check
// the editor's text. Exit status is the verdict; on failure a screenshot goes to $SCREENSHOT.
// Environment: CODE_SERVER_URL, WORKSPACE, FILE, EXPECTED (the file's text after the fix).
import { chromium } from "playwright-core";

const { CODE_SERVER_URL, WORKSPACE, FILE, EXPECTED, SCREENSHOT } = process.env;
const MODE = process.env.MODE ?? "quickfix";
const STEP_MS = 60_000;

import { readFileSync } from "node:fs";

const initial = readFileSync(`${WORKSPACE}/${FILE}`, "utf8");
const log = (msg) => {
  const disk = readFileSync(`${WORKSPACE}/${FILE}`, "utf8") === initial ? "" : " (the file on disk changed)";
  process.stderr.write(`[e2e] ${msg}${disk}\n`);
};
const normalize = (text) => text.replace(/\u00a0/g, " ").replace(/\s+$/, "");

async function runCommand(page, title) {
  await page.keyboard.press("F1");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible", timeout: STEP_MS });
  await input.fill(`>${title}`);
  const row = page.locator(".quick-input-list .monaco-list-row", { hasText: title }).first();
  await row.waitFor({ timeout: STEP_MS });
  await page.keyboard.press("Enter");
}

/** The text of the editor for `name` that is not a diff side, as VS Code renders it. */
async function editorText(page) {
  return page.evaluate(() => {
    const editor = document.querySelector(".editor-group-container.active .editor-instance .monaco-editor:not(.modified-in-monaco-diff-editor):not(.original-in-monaco-diff-editor)");
    if (!editor) return null;
    const lines = [...editor.querySelectorAll(".view-lines .view-line")]
      .map((line) => ({ top: parseFloat(line.style.top), text: line.textContent ?? "" }))
      .sort((a, b) => a.top - b.top);
    return lines.map((l) => l.text).join("\n");
  });
}

async function waitFor(what, fn) {
  const deadline = Date.now() + STEP_MS;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
let status = 0;

async function openWorkbench() {
  log("open the workbench");
  await page.goto(`${CODE_SERVER_URL}/?folder=${encodeURIComponent(WORKSPACE)}`);
  await page.locator(".monaco-workbench").waitFor({ timeout: STEP_MS });
  if (MODE === "missing") return;
  await page.locator(".statusbar-item", { hasText: "Claude: idle" }).waitFor({ timeout: STEP_MS });
  log(`open ${FILE}`);
  await page.keyboard.press("Control+P");
  await page.locator(".quick-input-widget input").fill(FILE);
  await page.locator(".quick-input-list .monaco-list-row", { hasText: FILE }).first().waitFor({ timeout: STEP_MS });
  await page.keyboard.press("Enter");
  await page.locator(".editor-instance .monaco-editor .view-lines").first().waitFor({ timeout: STEP_MS });
}

async function fixWithClaude() {
  log("wait for the diagnostic, go to it");
  await page.locator(".monaco-editor [class*='squiggly-']").first().waitFor({ timeout: STEP_MS });
  await page.locator(".editor-instance .monaco-editor .view-lines").first().click();
  await page.keyboard.press("F8");
  await page.locator(".marker-widget").waitFor({ timeout: STEP_MS });
  await page.keyboard.press("Escape");
  await codeAction("Fix with Claude");
}

/** Ctrl+. and choose the action whose title starts with `title`. */
async function codeAction(title) {
  log(`code action: ${title}`);
  await page.keyboard.press("Control+.");
  const rows = page.locator(".action-widget .monaco-list-row");
  await rows.filter({ hasText: title }).first().waitFor({ timeout: STEP_MS });
  log(`menu: ${JSON.stringify(await rows.allTextContents())}`);
  // Move the focus down to our action: clicks are intercepted by an overlay.
  for (let moves = 0; ; moves++) {
    const focused = (await page.locator(".action-widget .monaco-list-row.focused").textContent()) ?? "";
    if (focused.startsWith(title)) break;
    if (moves > 20) throw new Error(`could not focus '${title}' in the code action menu`);
    await page.keyboard.press("ArrowDown");
  }
  await page.keyboard.press("Enter");
}

async function askClaude(prompt, viaCodeAction = false) {
  log("ask Claude");
  await page.locator(".editor-instance .monaco-editor .view-lines").first().click();
  if (viaCodeAction) {
    await goToLine(1);
    await codeAction("Ask Claude...");
  }
  else await runCommand(page, "LSP Agent: Ask Claude...");
  const input = page.locator(".quick-input-widget input");
  await page.locator(".quick-input-widget", { hasText: "Ask Claude" }).waitFor({ timeout: STEP_MS });
  await input.fill(prompt);
  await page.keyboard.press("Enter");
}

async function waitForReview() {
  log("review the proposed diff");
  await page.locator(".monaco-diff-editor").first().waitFor({ timeout: STEP_MS });
  await page.locator(".tab", { hasText: "current ↔ proposed" }).waitFor({ timeout: STEP_MS });
  if (process.env.REVIEW_SCREENSHOT) await page.screenshot({ path: process.env.REVIEW_SCREENSHOT });
}

/** Put the cursor on `line` (1-based) of the proposal side of the diff. */
async function goToProposalLine(line) {
  await page.locator(".monaco-diff-editor .editor.modified .view-lines").first().click();
  await goToLine(line);
}

async function goToLine(line) {
  await page.keyboard.press("Control+G");
  await page.locator(".quick-input-widget input").fill(`:${line}`);
  await page.keyboard.press("Enter");
}

/** Click the editor title button whose label starts with `label` (one editor group here). */
async function clickTitleButton(label) {
  log(`click the title button "${label}"`);
  const button = page.locator(`.title .editor-actions a.action-label[aria-label^="${label}"]`);
  await button.first().click({ timeout: STEP_MS });
}

/** Wait for the review to close, the editor to read `want` and the run to end. */
async function expectText(want, what) {
  await page.locator(".monaco-diff-editor").first().waitFor({ state: "detached", timeout: STEP_MS });
  await waitFor(what, async () => normalize((await editorText(page)) ?? "") === normalize(want));
  await page.locator(".statusbar-item", { hasText: "Claude: idle" }).waitFor({ timeout: STEP_MS });
}

/** Answer the "why" of a rejection; the agent's tool result (in the transcript) carries it. */
async function rejectionReason(reason) {
  log(`reject with the reason "${reason}"`);
  await page.locator(".quick-input-widget", { hasText: "Reject Claude's change" }).waitFor({ timeout: STEP_MS });
  await page.locator(".quick-input-widget input").fill(reason);
  await page.keyboard.press("Enter");
  await page.locator(".part.panel .view-line", { hasText: reason }).first().waitFor({ timeout: STEP_MS });
}

const typed = (text, name) => text.replace(`def ${name}(a, b):`, `def ${name}(a: int, b: int) -> int:`);

async function checkResult() {
  log("check the editor's text");
  await page.locator(".monaco-diff-editor").first().waitFor({ state: "detached", timeout: STEP_MS });
  const want = normalize(EXPECTED);
  await waitFor("the accepted change in the editor", async () => normalize((await editorText(page)) ?? "") === want);
  await page.locator(".statusbar-item", { hasText: "Claude: idle" }).waitFor({ timeout: STEP_MS });
}

const modes = {
  // "LSP Agent: Show Plugins": the loaded plugin with its parts, the failure and the problem;
  // the sensitive option's value is nowhere on the page.
  plugins: async () => {
    await runCommand(page, "LSP Agent: Show Plugins");
    await page.locator(".quick-input-widget", { hasText: "Claude Code plugins: 1 loaded" }).waitFor({ timeout: STEP_MS });
    const rows = page.locator(".quick-input-list .monaco-list-row");
    for (const want of ["deploy-kit 1.2.0", "commands: /deploy-kit:status", "Failed:", "malformed JSON", "required option 'region'"]) {
      await rows.filter({ hasText: want }).first().waitFor({ timeout: STEP_MS });
    }
    const shown = (await page.locator(".quick-input-widget").textContent()) ?? "";
    log(`plugins: ${shown.slice(0, 400)}`);
    if (shown.includes(process.env.SECRET ?? "\u0000")) throw new Error("the sensitive value is shown");
    await rows.filter({ hasText: "deploy-kit 1.2.0" }).first().click({ timeout: STEP_MS });
    await page.locator(".quick-input-widget").waitFor({ state: "hidden", timeout: STEP_MS });
  },
  // Bash needs permission: VS Code shows the server's message request; allow it once.
  permission: async () => {
    await askClaude("Make a marker file");
    const toast = page.locator(".notification-toast", { hasText: "Allow once" });
    await toast.waitFor({ timeout: STEP_MS });
    log(`prompt: ${await toast.textContent()}`);
    await toast.getByRole("button", { name: "Allow once" }).click();
    await page.locator(".statusbar-item", { hasText: "Claude: idle" }).waitFor({ timeout: STEP_MS });
  },
  // AskUserQuestion: a quick pick per question with the options' descriptions. The first is
  // answered with "Other..." and typed words; the second (multi-select) with two ticked boxes.
  questions: async () => {
    await askClaude("Set up the tests");
    const picker = page.locator(".quick-input-widget");
    await picker.filter({ hasText: "Claude asks: Tests (1/2)" }).waitFor({ timeout: STEP_MS });
    const rows = page.locator(".quick-input-list .monaco-list-row");
    await rows.filter({ hasText: "fixtures, plain asserts" }).first().waitFor({ timeout: STEP_MS });
    log(`first picker: ${JSON.stringify(await rows.allTextContents())}`);
    await page.locator(".quick-input-widget input").fill("Other");
    await rows.filter({ hasText: "answer in your own words" }).first().waitFor({ timeout: STEP_MS });
    await page.keyboard.press("Enter");
    await picker.filter({ hasText: "Which test framework should I use?" }).waitFor({ timeout: STEP_MS });
    await page.locator(".quick-input-widget input").fill("hypothesis, on top of pytest");
    await page.keyboard.press("Enter");
    await picker.filter({ hasText: "Claude asks: Checks (2/2)" }).waitFor({ timeout: STEP_MS });
    for (const label of ["ruff", "mypy"]) {
      const row = rows.filter({ hasText: label }).first();
      await row.waitFor({ timeout: STEP_MS });
      await row.click(); // a click on a row of a multi-select picker ticks its box
    }
    await picker.filter({ hasText: "2 Selected" }).waitFor({ timeout: STEP_MS });
    log(`second picker: ${JSON.stringify(await rows.allTextContents())}`);
    await page.keyboard.press("Enter");
    // The transcript shows the tool result (wrapped over lines): both answers reached the model.
    for (const answer of ['="hypothesis, on top of pytest"', '="ruff, mypy"']) {
      await page.locator(".part.panel .view-line", { hasText: answer }).first().waitFor({ timeout: STEP_MS });
    }
  },
  // No server: a message says what to set, and the status bar says so.
  missing: async () => {
    await page.locator(".notification-toast", { hasText: "cannot find the server command" }).waitFor({ timeout: STEP_MS });
    await page.locator(".statusbar-item", { hasText: "Claude: server not running" }).waitFor({ timeout: STEP_MS });
  },
  // "Fix Diagnostics in File": the server knows the JSON diagnostic only from the extension
  // forwarding it (lspAgent/diagnostics).
  fixfile: async () => {
    await page.locator(".monaco-editor [class*='squiggly-']").first().waitFor({ timeout: STEP_MS });
    await page.locator(".editor-instance .monaco-editor .view-lines").first().click();
    await runCommand(page, "LSP Agent: Fix Diagnostics in File");
    await waitForReview();
    await runCommand(page, "LSP Agent: Accept All Changes");
  },
  // Quick fix "Fix with Claude" on a diagnostic, accept the whole proposal.
  quickfix: async () => {
    await fixWithClaude();
    await waitForReview();
    await runCommand(page, "LSP Agent: Accept All Changes");
  },
  // Two hunks: reject the second, accept the first, each with the cursor on it.
  hunks: async () => {
    await askClaude("Add type hints to add and sub");
    await waitForReview();
    await goToProposalLine(Number(process.env.SECOND_HUNK_LINE));
    await runCommand(page, "LSP Agent: Reject Hunk");
    await goToProposalLine(1);
    await runCommand(page, "LSP Agent: Accept Hunk");
  },
  // Every title button of the diff editor, clicked as a user does (VS Code passes the editor's
  // resource to these commands): reject one hunk and accept the other of a two-hunk proposal,
  // then reject a whole proposal with a reason for the agent, then accept a whole one.
  buttons: async () => {
    await askClaude("Add type hints to add and sub");
    await waitForReview();
    await goToProposalLine(Number(process.env.SECOND_HUNK_LINE));
    await clickTitleButton("Reject Hunk");
    await goToProposalLine(1);
    await clickTitleButton("Accept Hunk");
    await expectText(typed(initial, "add"), "the accepted hunk, without the rejected one");
    await askClaude("Add type hints to sub");
    await waitForReview();
    await clickTitleButton("Reject All");
    await rejectionReason("use a Protocol instead");
    await expectText(typed(initial, "add"), "no change after Reject All");
    await askClaude("Add type hints to sub");
    await waitForReview();
    await clickTitleButton("Accept All");
  },
  // acceptEdits: the run edits without asking. Its change set shows in the "Claude Changes"
  // tree; a line typed after the run stays while one hunk is reverted, then the whole run is
  // rewound (each a versioned edit computed against the buffer as it is).
  changes: async () => {
    await askClaude("Add type hints to add and sub");
    const both = typed(typed(initial, "add"), "sub");
    await waitFor("the run's edit", async () => normalize((await editorText(page)) ?? "") === normalize(both));
    await page.locator(".statusbar-item", { hasText: "Claude: idle" }).waitFor({ timeout: STEP_MS });
    log("type a line after the run");
    await page.locator(".editor-instance .monaco-editor .view-lines").first().click();
    await page.keyboard.press("Control+Home");
    await page.keyboard.type("# typed after the run");
    await page.keyboard.press("Enter");
    const mine = "# typed after the run\n";
    await waitFor("the typed line", async () => normalize((await editorText(page)) ?? "") === normalize(mine + both));
    await runCommand(page, "LSP Agent: Show Claude's Changes");
    const tree = page.locator(".pane", { hasText: "Claude Changes" });
    await tree.locator(".monaco-list-row", { hasText: "calc.py" }).first().waitFor({ timeout: STEP_MS });
    log(`tree: ${JSON.stringify(await tree.locator(".monaco-list-row").allTextContents())}`);
    log("revert the def sub hunk");
    await runCommand(page, "LSP Agent: Revert Claude's Change (Hunk)...");
    await page.locator(".quick-input-widget", { hasText: "Revert which" }).waitFor({ timeout: STEP_MS });
    await page.locator(".quick-input-widget input").fill("def sub");
    await page.locator(".quick-input-list .monaco-list-row", { hasText: "def sub" }).first().waitFor({ timeout: STEP_MS });
    await page.keyboard.press("Enter");
    await waitFor("the reverted hunk", async () => normalize((await editorText(page)) ?? "") === normalize(mine + typed(initial, "add")));
    log("rewind the run");
    await runCommand(page, "LSP Agent: Rewind Claude to Before a Prompt...");
    await page.locator(".quick-input-widget", { hasText: "Rewind to before which" }).waitFor({ timeout: STEP_MS });
    // Clicked, as a user picks: an Enter pressed while the list is still settling can be lost.
    await page.locator(".quick-input-list .monaco-list-row", { hasText: "Add type hints" }).first().click({ timeout: STEP_MS });
    await page.locator(".quick-input-widget", { hasText: "Rewind to before prompt" }).waitFor({ timeout: STEP_MS });
    await page.locator(".quick-input-list .monaco-list-row", { hasText: "Restore code" }).first().click({ timeout: STEP_MS });
    await page.locator(".quick-input-widget").waitFor({ state: "hidden", timeout: STEP_MS });
    log("rewind chosen");
  },
  // review.openDiff off: a notification announces the proposal and the editor keeps the focus;
  // "Review" opens the diff; closing its tab decides nothing (a notification says it waits) and
  // the sessions list ("Show Sessions") opens it again, where it is accepted.
  reopen: async () => {
    // The prompt completes `@` to a workspace file.
    await page.locator(".editor-instance .monaco-editor .view-lines").first().click();
    await runCommand(page, "LSP Agent: Ask Claude...");
    await page.locator(".quick-input-widget", { hasText: "Ask Claude" }).waitFor({ timeout: STEP_MS });
    await page.locator(".quick-input-widget input").fill("Add type hints to add and sub in @cal");
    await page.locator(".quick-input-list .monaco-list-row", { hasText: "@calc.py" }).first().waitFor({ timeout: STEP_MS });
    await page.keyboard.press("Enter");
    await waitFor("the completed reference", async () =>
      (await page.locator(".quick-input-widget input").inputValue()) === "Add type hints to add and sub in @calc.py ");
    await page.keyboard.press("Enter");
    const toast = page.locator(".notification-toast", { hasText: "is ready for review" });
    await toast.waitFor({ timeout: STEP_MS });
    if ((await page.locator(".monaco-diff-editor").count()) !== 0) throw new Error("the diff opened anyway");
    await toast.getByRole("button", { name: "Review" }).click();
    await waitForReview();
    log("close the diff tab");
    await runCommand(page, "View: Close Editor");
    await page.locator(".monaco-diff-editor").first().waitFor({ state: "detached", timeout: STEP_MS });
    await page.locator(".notification-toast", { hasText: "still waiting for your review" }).waitFor({ timeout: STEP_MS });
    // Still pending: the run waits for the answer.
    await page.locator(".statusbar-item", { hasText: "Claude: running" }).waitFor({ timeout: STEP_MS });
    // Reopened from the sessions list, where the session says a change waits for review.
    await runCommand(page, "LSP Agent: Show Sessions");
    await page.locator(".quick-input-list .monaco-list-row", { hasText: "waiting for review" }).first().waitFor({ timeout: STEP_MS });
    await page.keyboard.press("Enter");
    await page.locator(".quick-input-list .monaco-list-row", { hasText: "Review the pending changes" }).first().waitFor({ timeout: STEP_MS });
    await page.keyboard.press("Enter");
    await waitForReview();
    await runCommand(page, "LSP Agent: Accept All Changes");
  },
  // The user edits the proposal before accepting it: their text is what lands. The run starts
  // from the "Ask Claude..." code action, which carries no prompt: the extension asks for one.
  edit: async () => {
    await askClaude("Add type hints to add and sub", true);
    await waitForReview();
    await goToProposalLine(1);
    await page.keyboard.press("End");
    await page.keyboard.type("  # reviewed");
    await runCommand(page, "LSP Agent: Accept All Changes");
  },
};

try {
  await openWorkbench();
  await modes[MODE]();
  if (MODE !== "missing") await checkResult();
  if (process.env.FINAL_SCREENSHOT) await page.screenshot({ path: process.env.FINAL_SCREENSHOT });
  log("passed");
} catch (error) {
  status = 1;
  log(`FAILED: ${error instanceof Error ? error.stack : String(error)}`);
  log(`editor text: ${JSON.stringify(await editorText(page).catch(() => null))}`);
  // What the extension said (an error from the server shows here).
  const toasts = await page.locator(".notification-toast").allTextContents().catch(() => []);
  log(`notifications: ${JSON.stringify(toasts)}`);
  if (SCREENSHOT) {
    await page.screenshot({ path: SCREENSHOT, fullPage: true }).catch(() => undefined);
    log(`screenshot: ${SCREENSHOT}`);
  }
} finally {
  await browser.close();
}
process.exit(status);
