// retry() on its own: how many attempts, which errors are retried, which
// error is thrown at the end, and the doubling delay between attempts.

import assert from "node:assert/strict";
import { test } from "node:test";
import { retry } from "./retry.ts";

const transient = (error: unknown) => error instanceof Error && error.message.startsWith("transient");

test("retry returns the first success and passes each attempt its number", async () => {
  const attempts: number[] = [];
  const value = await retry(
    async (attempt) => {
      attempts.push(attempt);
      if (attempt < 2) throw new Error(`transient ${attempt}`);
      return "ok";
    },
    { retries: 5, delayMs: 0, isTransient: transient },
  );
  assert.equal(value, "ok");
  assert.deepEqual(attempts, [0, 1, 2]);
});

test("retry gives up after `retries` retries and throws the last attempt's error", async () => {
  const attempts: number[] = [];
  await assert.rejects(
    retry(
      async (attempt) => {
        attempts.push(attempt);
        throw new Error(`transient ${attempt}`);
      },
      { retries: 2, delayMs: 0, isTransient: transient },
    ),
    { message: "transient 2" },
  );
  assert.deepEqual(attempts, [0, 1, 2]);
});

test("retry with 0 retries tries exactly once", async () => {
  let calls = 0;
  await assert.rejects(
    retry(
      async () => {
        calls++;
        throw new Error("transient");
      },
      { retries: 0, delayMs: 0, isTransient: transient },
    ),
    { message: "transient" },
  );
  assert.equal(calls, 1);
});

test("retry throws a lasting error at once, without another attempt", async () => {
  const seen: unknown[] = [];
  const lasting = new Error("lasting");
  let calls = 0;
  await assert.rejects(
    retry(
      async () => {
        calls++;
        throw lasting;
      },
      {
        retries: 3,
        delayMs: 0,
        isTransient: (error) => {
          seen.push(error);
          return false;
        },
      },
    ),
    (error) => error === lasting,
  );
  assert.equal(calls, 1);
  assert.deepEqual(seen, [lasting], "isTransient is asked about the very error thrown");
});

test("retry stops at a lasting error that follows transient ones", async () => {
  const attempts: number[] = [];
  await assert.rejects(
    retry(
      async (attempt) => {
        attempts.push(attempt);
        throw new Error(attempt === 0 ? "transient" : "lasting");
      },
      { retries: 5, delayMs: 0, isTransient: transient },
    ),
    { message: "lasting" },
  );
  assert.deepEqual(attempts, [0, 1]);
});

test("retry waits delayMs before the first retry and doubles it for each next one", async () => {
  const startedAt: number[] = [];
  await retry(
    async (attempt) => {
      startedAt.push(performance.now());
      if (attempt < 2) throw new Error("transient");
    },
    { retries: 2, delayMs: 40, isTransient: transient },
  );
  const [first, second, third] = startedAt as [number, number, number];
  // Timers never fire early by more than a millisecond of rounding; late is fine on a shared machine.
  assert.ok(second - first >= 39, `first gap ${second - first} ms, expected about 40`);
  assert.ok(third - second >= 79, `second gap ${third - second} ms, expected about 80`);
});
