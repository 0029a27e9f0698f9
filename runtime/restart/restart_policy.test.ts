// The restart policy on its own: settings filled in and bounded by the host,
// the backoff, and the window that tells a restart from a crash loop.

import assert from "node:assert/strict";
import { test } from "node:test";
import { configFromEnv } from "../config.ts";
import { backoffDelay, decide, restartSettingsOf, type RestartSettings } from "./restart_policy.ts";

const defaults = configFromEnv({}).restart;
const SETTINGS: RestartSettings = { maxRestarts: 3, windowMs: 1_000, backoffMs: 100, maxBackoffMs: 250 };

test("decide doubles the delay for each failure in the window and calls the next one a crash loop", () => {
  const recent: number[] = [];
  assert.deepEqual(decide(recent, 0, SETTINGS), { kind: "restart", delayMs: 100, attempt: 1 });
  assert.deepEqual(decide(recent, 10, SETTINGS), { kind: "restart", delayMs: 200, attempt: 2 });
  assert.deepEqual(decide(recent, 20, SETTINGS), { kind: "restart", delayMs: 250, attempt: 3 });
  assert.deepEqual(decide(recent, 30, SETTINGS), { kind: "crash-loop", failures: 4 });
});

test("decide forgets failures older than the window, in the list it was given", () => {
  const recent = [0, 10, 20];
  assert.deepEqual(decide(recent, 5_000, SETTINGS), { kind: "restart", delayMs: 100, attempt: 1 });
  assert.deepEqual(recent, [5_000]);
});

test("decide counts a failure exactly one window old as outside it", () => {
  const recent = [0, 500];
  assert.deepEqual(decide(recent, 1_000, SETTINGS), { kind: "restart", delayMs: 200, attempt: 2 });
  assert.deepEqual(recent, [500, 1_000]);
});

test("decide with maxRestarts 0 is off, and records nothing", () => {
  const recent = [1, 2];
  assert.deepEqual(decide(recent, 3, { ...SETTINGS, maxRestarts: 0 }), { kind: "off" });
  assert.deepEqual(recent, [1, 2]);
});

test("decide stays a crash loop for every further failure in the window", () => {
  const recent = [0, 1, 2, 3];
  assert.deepEqual(decide(recent, 4, SETTINGS), { kind: "crash-loop", failures: 5 });
  assert.deepEqual(decide(recent, 5, SETTINGS), { kind: "crash-loop", failures: 6 });
});

test("backoffDelay starts at backoffMs, caps at maxBackoffMs, and never overflows", () => {
  assert.equal(backoffDelay(1, SETTINGS), 100);
  assert.equal(backoffDelay(0, SETTINGS), 100, "a count below 1 is the first failure");
  assert.equal(backoffDelay(2, SETTINGS), 200);
  assert.equal(backoffDelay(3, SETTINGS), 250);
  assert.equal(backoffDelay(200, { ...SETTINGS, maxBackoffMs: 10 ** 12 }), 100 * 2 ** 30);
  assert.equal(backoffDelay(10_000, { ...SETTINGS, maxBackoffMs: Number.MAX_VALUE }), 100 * 2 ** 30);
});

test("restartSettingsOf fills in the host's defaults for what a manifest leaves out", () => {
  assert.deepEqual(restartSettingsOf(undefined, defaults), { maxRestarts: 5, windowMs: 60_000, backoffMs: 500, maxBackoffMs: 30_000 });
  assert.deepEqual(restartSettingsOf({ windowMs: 5_000 }, defaults), { maxRestarts: 5, windowMs: 5_000, backoffMs: 500, maxBackoffMs: 30_000 });
  assert.deepEqual(restartSettingsOf({ maxRestarts: 0 }, defaults).maxRestarts, 0, "0 is kept, not replaced by the default");
});

test("restartSettingsOf never lets a delay go below the host's floor, nor the cap below the first delay", () => {
  assert.deepEqual(restartSettingsOf({ maxRestarts: 2, backoffMs: 1, maxBackoffMs: 1 }, defaults), {
    maxRestarts: 2,
    windowMs: 60_000,
    backoffMs: 100,
    maxBackoffMs: 100,
  });
  assert.deepEqual(restartSettingsOf({ backoffMs: 10_000, maxBackoffMs: 1_000 }, defaults).maxBackoffMs, 10_000);
  assert.equal(restartSettingsOf(undefined, { ...defaults, backoffMs: 10, minBackoffMs: 50 }).backoffMs, 50, "the floor bounds the host's own default too");
});
