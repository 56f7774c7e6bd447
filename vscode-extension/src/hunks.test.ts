// Unit tests for the pure hunk helpers: `node --test out/` after `node esbuild.mjs`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { applyHunks, hunkLines, hunkNear, offsetAt } from "./hunks";
import type { Hunk } from "./protocol";

const OLD = "a\nb\nc\nd\ne\n";

function hunk(id: number, start: number, end: number, oldText: string, newText: string): Hunk {
  return { id, range: { start: { line: start, character: 0 }, end: { line: end, character: 0 } }, oldText, newText };
}

// b -> B1, B2 (one line becomes two); d deleted.
const HUNKS = [hunk(1, 1, 2, "b\n", "B1\nB2\n"), hunk(2, 3, 4, "d\n", "")];

function check(keep: number[], expected: string): void {
  assert.equal(applyHunks(OLD, HUNKS, new Set(keep)), expected);
}

void test("applyHunks applies exactly the kept hunks", () => {
  check([], OLD);
  check([1], "a\nB1\nB2\nc\nd\ne\n");
  check([2], "a\nb\nc\ne\n");
  check([1, 2], "a\nB1\nB2\nc\ne\n");
});

void test("offsetAt clamps to the line and the text", () => {
  assert.equal(offsetAt(OLD, 1, 0), 2);
  assert.equal(offsetAt(OLD, 1, 99), 3);
  assert.equal(offsetAt(OLD, 99, 0), OLD.length);
});

void test("hunkLines follows earlier hunks' line shifts on the new side", () => {
  const spans = hunkLines(HUNKS, new Set([1, 2]), "new").map((s) => [s.hunk.id, s.first, s.last]);
  assert.deepEqual(spans, [[1, 1, 2], [2, 4, 4]]);
  const old = hunkLines(HUNKS, new Set([1, 2]), "old").map((s) => [s.hunk.id, s.first, s.last]);
  assert.deepEqual(old, [[1, 1, 1], [2, 3, 3]]);
});

void test("hunkNear picks the hunk on the line, else the nearest undecided one", () => {
  const spans = hunkLines(HUNKS, new Set([1, 2]), "old");
  assert.equal(hunkNear(spans, 3, new Set([1, 2]))?.id, 2);
  assert.equal(hunkNear(spans, 0, new Set([1, 2]))?.id, 1);
  assert.equal(hunkNear(spans, 1, new Set([2]))?.id, 2);
  assert.equal(hunkNear(spans, 1, new Set()), undefined);
});
