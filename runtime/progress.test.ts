// withProgress and reportProgress: steps reach the operation's listener only,
// updates of one step are folded but the latest is never lost, and nothing reaches it after the end.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { ProgressEvent } from "../common/progress_event.ts";
import { PROGRESS_INTERVAL_MS, reportProgress, withProgress } from "./progress.ts";

const tick = () => new Promise((resolve) => setImmediate(resolve));

test("reportProgress outside an operation does nothing", () => {
  assert.doesNotThrow(() => reportProgress({ step: "bundling", package: "a" }));
});

test("each operation's steps reach its own listener, across awaits", async () => {
  const a: ProgressEvent[] = [];
  const b: ProgressEvent[] = [];
  await Promise.all([
    withProgress((e) => a.push(e), async () => {
      await tick();
      reportProgress({ step: "bundling", package: "a" });
    }),
    withProgress((e) => b.push(e), async () => {
      reportProgress({ step: "installing", package: "b" });
      await tick();
    }),
  ]);
  assert.deepEqual(a, [{ step: "bundling", package: "a" }]);
  assert.deepEqual(b, [{ step: "installing", package: "b" }]);
});

test("rapid updates of one step are folded, and the latest is delivered before the next step", async () => {
  const seen: ProgressEvent[] = [];
  await withProgress((e) => seen.push(e), async () => {
    for (let bytes = 0; bytes <= 100; bytes += 10) reportProgress({ step: "downloading", bytes });
    reportProgress({ step: "extracting", files: 2, bytes: 50 });
  });
  assert.deepEqual(seen, [{ step: "downloading", bytes: 0 }, { step: "downloading", bytes: 100 }, { step: "extracting", files: 2, bytes: 50 }]);
});

test("updates further apart than the interval all pass, and the held one is flushed at the end", async () => {
  const seen: number[] = [];
  await withProgress((e) => seen.push((e as { bytes: number }).bytes), async () => {
    reportProgress({ step: "downloading", bytes: 1 });
    await new Promise((resolve) => setTimeout(resolve, PROGRESS_INTERVAL_MS + 20));
    reportProgress({ step: "downloading", bytes: 2 });
    reportProgress({ step: "downloading", bytes: 3 });
  });
  assert.deepEqual(seen, [1, 2, 3]);
});

test("a listener that throws does not fail the operation, and late reports are dropped", async () => {
  let late: (() => void) | undefined;
  let calls = 0;
  const errors = console.error;
  console.error = () => {};
  try {
    const value = await withProgress(() => {
      calls++;
      throw new Error("client gone");
    }, async () => {
      reportProgress({ step: "bundling", package: "a" });
      late = () => reportProgress({ step: "starting", package: "a" });
      return 42;
    });
    assert.equal(value, 42);
  } finally {
    console.error = errors;
  }
  late!();
  assert.equal(calls, 1);
});
