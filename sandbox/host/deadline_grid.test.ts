// The grid of deadlines for synchronous calls: never shorter than asked, at most one grid step longer,
// and calls made close together share one deadline.

import assert from "node:assert/strict";
import { test } from "node:test";
import { DEADLINE_GRID_MS, gridTimeout } from "./deadline_grid.ts";

test("a grid timeout is at least what was asked and at most one grid step more", () => {
  for (const now of [0, 0.4, 17.3, 49.99, 50, 123456.789]) {
    for (const ms of [1, 50, 2_000, 2_050]) {
      const timeout = gridTimeout(ms, now);
      assert.ok(timeout >= ms, `${ms} at ${now}: ${timeout}`);
      assert.ok(timeout <= ms + DEADLINE_GRID_MS + 1, `${ms} at ${now}: ${timeout}`);
      assert.ok(Number.isInteger(timeout));
    }
  }
});

test("calls made within one grid step end at the same deadline (to the millisecond isolated-vm counts in)", () => {
  const deadlines = [1000.1, 1003.7, 1012.2, 1040.9].map((now) => Math.floor(now + gridTimeout(2_000, now)));
  assert.ok(deadlines.every((deadline) => Math.abs(deadline - deadlines[0]!) <= 1), deadlines.join(", "));
});
