// Pure text helpers for proposals: apply a subset of hunks to the old text, find hunks by line.
import type { Hunk, HunkId } from "./protocol";

/** Offset of an LSP position (utf-16, the client's encoding) in `text`. */
export function offsetAt(text: string, line: number, character: number): number {
  let offset = 0;
  for (let current = 0; current < line; current++) {
    const next = text.indexOf("\n", offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  const lineEnd = text.indexOf("\n", offset);
  const limit = lineEnd < 0 ? text.length : lineEnd;
  return Math.min(offset + character, limit);
}

function sorted(hunks: readonly Hunk[]): Hunk[] {
  return [...hunks].sort(
    (a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character,
  );
}

/** `oldText` with the given hunks applied (the others left as they were). */
export function applyHunks(oldText: string, hunks: readonly Hunk[], keep: ReadonlySet<HunkId>): string {
  let result = "";
  let position = 0;
  for (const hunk of sorted(hunks)) {
    const start = offsetAt(oldText, hunk.range.start.line, hunk.range.start.character);
    const end = offsetAt(oldText, hunk.range.end.line, hunk.range.end.character);
    result += oldText.slice(position, start) + (keep.has(hunk.id) ? hunk.newText : oldText.slice(start, end));
    position = end;
  }
  return result + oldText.slice(position);
}

export interface LineSpan {
  hunk: Hunk;
  first: number;
  last: number;
}

function lineCount(text: string): number {
  return text.split("\n").length - 1;
}

/** Where each hunk sits, in lines, in the old text (`side` "old") or in the text with `kept` applied. */
export function hunkLines(hunks: readonly Hunk[], kept: ReadonlySet<HunkId>, side: "old" | "new"): LineSpan[] {
  let shift = 0;
  return sorted(hunks).map((hunk) => {
    const shown = side === "new" && kept.has(hunk.id) ? hunk.newText : hunk.oldText;
    const first = hunk.range.start.line + shift;
    const last = first + Math.max(0, lineCount(shown) - (shown.endsWith("\n") ? 1 : 0));
    if (side === "new" && kept.has(hunk.id)) shift += lineCount(hunk.newText) - lineCount(hunk.oldText);
    return { hunk, first, last };
  });
}

/** The hunk on `line`, else the nearest one; only among `candidates`. */
export function hunkNear(spans: readonly LineSpan[], line: number, candidates: ReadonlySet<HunkId>): Hunk | undefined {
  let best: { hunk: Hunk; distance: number } | undefined;
  for (const span of spans) {
    if (!candidates.has(span.hunk.id)) continue;
    const distance = line < span.first ? span.first - line : line > span.last ? line - span.last : 0;
    if (!best || distance < best.distance) best = { hunk: span.hunk, distance };
  }
  return best?.hunk;
}
