// withDeadline on its own: the value or error of a promise in time, a
// DeadlineError after it, and the cancel hook run exactly when the time is up.

import assert from "node:assert/strict";
import { test } from "node:test";
import { DeadlineError, withDeadline } from "./deadline.ts";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const never = () => new Promise<never>(() => {});

test("withDeadline resolves with the promise's value when it settles in time", async () => {
  let timedOut = false;
  const value = await withDeadline(sleep(5).then(() => "done"), 1_000, () => (timedOut = true));
  assert.equal(value, "done");
  assert.equal(timedOut, false);
});

test("withDeadline rejects with the promise's own error when it fails in time", async () => {
  const failure = new Error("failed on purpose");
  await assert.rejects(withDeadline(Promise.reject(failure), 1_000), (error) => error === failure);
});

test("withDeadline rejects with DeadlineError once the time is up, naming the bound", async () => {
  await assert.rejects(withDeadline(never(), 20), (error: unknown) => {
    assert.ok(error instanceof DeadlineError);
    assert.equal(error.name, "DeadlineError");
    assert.equal(error.message, "did not finish within 20 ms");
    return true;
  });
});

test("withDeadline runs onTimeout before it rejects, so the late work can be cancelled first", async () => {
  const events: string[] = [];
  await withDeadline(never(), 10, () => events.push("onTimeout")).catch(() => events.push("rejected"));
  assert.deepEqual(events, ["onTimeout", "rejected"]);
});

test("withDeadline clears its timer when the promise wins: onTimeout never runs later", async () => {
  let timedOut = false;
  await withDeadline(Promise.resolve(1), 20, () => (timedOut = true));
  await assert.rejects(withDeadline(Promise.reject(new Error("x")), 20, () => (timedOut = true)));
  await sleep(60);
  assert.equal(timedOut, false);
});

test("withDeadline waits for a promise that settles just before the bound", async () => {
  assert.equal(await withDeadline(sleep(10).then(() => 7), 500), 7);
});
