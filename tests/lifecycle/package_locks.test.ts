// Per-package locks: one operation per package at a time, unrelated packages
// in parallel, and a bounded wait that ends in `busy` with nothing left held.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { IsopodError } from "../../runtime/errors.ts";
import { PackageLocks } from "../../runtime/lifecycle/package_locks.ts";

/** A promise and the function that settles it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe("PackageLocks", () => {
  test("operations on one package run one at a time, in arrival order", async () => {
    const locks = new PackageLocks(5_000);
    const events: string[] = [];
    const first = gate();
    const a = locks.run("pkg", async () => {
      events.push("a in");
      await first.opened;
      events.push("a out");
    });
    const b = locks.run("pkg", async () => {
      events.push("b in");
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(events, ["a in"]);
    first.open();
    await Promise.all([a, b]);
    assert.deepEqual(events, ["a in", "a out", "b in"]);
    assert.equal(locks.isBusy("pkg"), false);
  });

  test("operations on unrelated packages do not wait for each other", async () => {
    const locks = new PackageLocks(5_000);
    const held = gate();
    const slow = locks.run("one", () => held.opened);
    const fast = await locks.runAll(["two", "three"], async () => "done");
    assert.equal(fast, "done");
    assert.equal(locks.isBusy("one"), true);
    held.open();
    await slow;
  });

  test("a waiter gives up after the bound with busy, and the holder is unaffected", async () => {
    const locks = new PackageLocks(50);
    const held = gate();
    const holder = locks.run("pkg", () => held.opened);
    const error = await locks.run("pkg", async () => "never").catch((e: unknown) => e);
    assert.ok(error instanceof IsopodError);
    assert.equal(error.code, "busy");
    assert.match(error.message, /"pkg" is busy with another operation; gave up after 50 ms/);
    held.open();
    await holder;
    assert.equal(await locks.run("pkg", async () => "after"), "after");
    assert.equal(locks.isBusy("pkg"), false);
  });

  test("a set that cannot be taken whole releases the locks it had taken", async () => {
    const locks = new PackageLocks(50);
    const held = gate();
    const holder = locks.run("b", () => held.opened);
    await assert.rejects(locks.runAll(["a", "b", "c"], async () => undefined), { code: "busy" });
    assert.equal(locks.isBusy("a"), false);
    assert.equal(locks.isBusy("c"), false);
    held.open();
    await holder;
  });

  test("two operations over overlapping sets, named in opposite orders, both finish", async () => {
    const locks = new PackageLocks(2_000);
    const order: string[] = [];
    const work = (tag: string) => async () => {
      order.push(`${tag} in`);
      await new Promise((resolve) => setTimeout(resolve, 10));
      order.push(`${tag} out`);
    };
    await Promise.all([locks.runAll(["x", "y"], work("first")), locks.runAll(["y", "x"], work("second"))]);
    assert.deepEqual(order, ["first in", "first out", "second in", "second out"]);
  });

  test("a lock is released when the work throws", async () => {
    const locks = new PackageLocks(1_000);
    await assert.rejects(locks.run("pkg", async () => Promise.reject(new Error("boom"))), /boom/);
    assert.equal(locks.isBusy("pkg"), false);
  });

  test("runScoped() takes the locks again when the scope grew while it waited", async () => {
    const locks = new PackageLocks(2_000);
    const scope = new Set(["app"]);
    const held = gate();
    const holder = locks.run("app", async () => {
      await held.opened;
      scope.add("base");
    });
    const seen: string[][] = [];
    const running = locks.runScoped(() => new Set(scope), async () => {
      seen.push(["app", "base"].filter((name) => locks.isBusy(name)));
    });
    held.open();
    await Promise.all([holder, running]);
    assert.deepEqual(seen, [["app", "base"]], "ran once, holding the grown scope");
  });

  test("runScoped() gives up with busy when the scope keeps growing", async () => {
    const locks = new PackageLocks(1_000);
    let n = 0;
    const error = await locks.runScoped(() => new Set([`p${n++}`]), async () => "never", 3).catch((e: unknown) => e);
    assert.equal((error as IsopodError).code, "busy");
    assert.match((error as Error).message, /kept changing/);
    assert.equal(locks.isBusy("p0"), false);
  });
});
