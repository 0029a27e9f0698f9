// The CPU watchdog on its own, with a clock the test moves: how the CPU an
// isolate used is charged to the calls in flight, and when it gives up on one.

import assert from "node:assert/strict";
import { test } from "node:test";
import { CpuWatchdog, sampleInterval } from "../../sandbox/host/cpu_watchdog.ts";

function watchdogWithClock(budgetMs: number) {
  const clock = { cpuMs: 0 };
  const exceeded: [string, number][] = [];
  const watchdog = new CpuWatchdog({ readCpuMs: () => clock.cpuMs, budgetMs, exceeded: (what, used) => exceeded.push([what, used]) });
  /** A call the test ends by hand. */
  const call = (what: string) => {
    let end!: () => void;
    const done = watchdog.watch(what, () => new Promise<void>((resolve) => (end = resolve)));
    return { end: async () => (end(), await done) };
  };
  return { clock, exceeded, watchdog, call };
}

test("a lone call is charged all the CPU the isolate used while it was in flight", async () => {
  const { clock, exceeded, call } = watchdogWithClock(100);
  clock.cpuMs = 40; // before the call: charged to nobody
  const a = call("a");
  clock.cpuMs = 140;
  await a.end();
  assert.deepEqual(exceeded, []);
  const b = call("b");
  clock.cpuMs = 241;
  await b.end();
  assert.deepEqual(exceeded, [["b", 101]]);
});

test("calls in flight at once share what the isolate used meanwhile", async () => {
  const { clock, exceeded, call } = watchdogWithClock(100);
  const slow = call("a slow request");
  clock.cpuMs = 60; // slow alone: 60
  const busy = call("a busy request");
  clock.cpuMs = 140; // 80 shared: 40 each
  await busy.end();
  assert.deepEqual(exceeded, [], "the slow request was charged for its neighbour's CPU");
  clock.cpuMs = 141; // slow at 101
  await slow.end();
  assert.deepEqual(exceeded, [["a slow request", 101]]);
});

test("only the first call over the budget is reported, and nothing after stop", async () => {
  const { clock, exceeded, watchdog, call } = watchdogWithClock(10);
  const a = call("a");
  const b = call("b");
  clock.cpuMs = 100;
  await a.end();
  await b.end();
  assert.equal(exceeded.length, 1);
  watchdog.stop();
  const c = call("c");
  clock.cpuMs = 1000;
  await c.end();
  assert.equal(exceeded.length, 1);
});

test("a clock that throws (the isolate is gone) charges nothing", async () => {
  const exceeded: string[] = [];
  const watchdog = new CpuWatchdog({
    readCpuMs: () => {
      throw new Error("Isolate is already disposed");
    },
    budgetMs: 1,
    exceeded: (what) => exceeded.push(what),
  });
  assert.equal(await watchdog.watch("a", async () => "answer"), "answer");
  assert.deepEqual(exceeded, []);
});

test("the clock is read every tenth of the budget, between 5 and 50 ms", () => {
  assert.equal(sampleInterval(10), 5);
  assert.equal(sampleInterval(200), 20);
  assert.equal(sampleInterval(60_000), 50);
});

test("a synchronous call leaves the calls in flight when it returns, however many run in one stretch", async () => {
  const { clock, exceeded, watchdog, call } = watchdogWithClock(100);
  // A registry chain served on the host's thread: thousands of calls before the host's microtasks run.
  for (let i = 0; i < 1_000; i++) {
    watchdog.watchSync(`registry call ${i}`, () => {
      clock.cpuMs += 0.01;
    });
  }
  const runaway = call("a runaway request");
  clock.cpuMs += 101;
  await runaway.end();
  assert.deepEqual(exceeded.map(([what]) => what), ["a runaway request"], "the runaway's CPU was shared with calls that had ended");
});

test("a synchronous call is charged what it used, and throws what its call throws", () => {
  const { clock, exceeded, watchdog } = watchdogWithClock(10);
  assert.equal(watchdog.watchSync("quick", () => "answer"), "answer");
  assert.throws(() => watchdog.watchSync("failing", () => { throw new Error("boom"); }), /boom/);
  watchdog.watchSync("greedy", () => {
    clock.cpuMs += 11;
  });
  assert.deepEqual(exceeded, [["greedy", 11]]);
});
