// LogRate on its own, with the clock passed in: the burst, the refill, the
// byte budget, oversized lines, and limits of 0 that mean no limit.

import assert from "node:assert/strict";
import { test } from "node:test";
import { LogRate } from "./log_rate.ts";

/** Takes `count` lines of `bytes` at `now`, and says how many fit. */
function takeMany(rate: LogRate, count: number, bytes: number, now: number): number {
  let taken = 0;
  for (let i = 0; i < count; i++) if (rate.take(bytes, now)) taken++;
  return taken;
}

test("a fresh LogRate lets one second's lines through at once, then drops the next", () => {
  const rate = new LogRate({ lines: 5, bytes: 0 }, 0);
  assert.equal(takeMany(rate, 5, 10, 0), 5);
  assert.equal(rate.take(10, 0), false);
});

test("LogRate refills in proportion to the time passed", () => {
  const rate = new LogRate({ lines: 10, bytes: 0 }, 0);
  assert.equal(takeMany(rate, 10, 1, 0), 10);
  assert.equal(takeMany(rate, 10, 1, 500), 5, "half a second gives half the lines back");
  assert.equal(takeMany(rate, 10, 1, 600), 1, "a tenth of a second gives one line back");
});

test("LogRate never holds more than one second's worth, however long it was idle", () => {
  const rate = new LogRate({ lines: 3, bytes: 0 }, 0);
  assert.equal(takeMany(rate, 10, 1, 60_000), 3);
});

test("LogRate drops a line whose bytes do not fit, and takes no line for it", () => {
  const rate = new LogRate({ lines: 2, bytes: 100 }, 0);
  assert.equal(rate.take(80, 0), true);
  assert.equal(rate.take(30, 0), false, "only 20 bytes are left");
  assert.equal(rate.take(20, 0), true, "the dropped line did not use up the second line");
  assert.equal(rate.take(0, 0), false, "both lines are used");
});

test("LogRate lets a line larger than a second's bytes through once the bucket is full, then none until it refills", () => {
  const rate = new LogRate({ lines: 0, bytes: 100 }, 0);
  assert.equal(rate.take(10_000, 0), true);
  assert.equal(rate.take(1, 0), false);
  assert.equal(rate.take(10_000, 500), false, "half a bucket is not enough");
  assert.equal(rate.take(10_000, 1_000), true);
});

test("LogRate with limits of 0 lets everything through", () => {
  const rate = new LogRate({ lines: 0, bytes: 0 }, 0);
  assert.equal(takeMany(rate, 10_000, 1_000_000, 0), 10_000);
});

test("LogRate limits bytes alone when lines are 0", () => {
  const rate = new LogRate({ lines: 0, bytes: 50 }, 0);
  assert.equal(takeMany(rate, 100, 10, 0), 5);
});

test("LogRate gives nothing back for a clock that goes backwards", () => {
  const rate = new LogRate({ lines: 2, bytes: 0 }, 1_000);
  assert.equal(takeMany(rate, 2, 1, 1_000), 2);
  assert.equal(rate.take(1, 500), false);
});
