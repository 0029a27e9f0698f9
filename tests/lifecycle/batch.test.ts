// The batch runners on their own, over a graph and a fake set of packages:
// order, refusals that name their reason, and nothing done twice.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BatchReport, dependentsFirst, startInOrder } from "../../runtime/lifecycle/batch.ts";
import { DependencyGraph } from "../../runtime/graph/dependency_graph.ts";
import { IsopodError } from "../../runtime/errors.ts";

/** Packages in memory: which are installed and running, and what was done to them, in order. */
function fakePackages(installed: string[], running: string[] = [], failing: string[] = []) {
  const live = new Set(running);
  const done: string[] = [];
  return {
    done,
    live,
    isInstalled: (name: string) => installed.includes(name),
    isRunning: (name: string) => live.has(name),
    start: async (name: string) => {
      done.push(`start ${name}`);
      if (failing.includes(name)) throw new IsopodError("start_failed", `cannot start "${name}": boom`);
      live.add(name);
    },
    stop: async (name: string) => {
      done.push(`stop ${name}`);
      live.delete(name);
    },
  };
}

const summary = (report: BatchReport) =>
  report.results.map((r) => `${r.name}:${r.ok ? "ok" : (r.error as IsopodError).code}${r.requested ? "" : " (taken in)"}`);

describe("startInOrder()", () => {
  test("starts dependencies first, each once, and reports them as taken in", async () => {
    const graph = DependencyGraph.of([["top", ["left", "right"]], ["left", ["base"]], ["right", ["base"]], ["base", []]]);
    const pkgs = fakePackages(["top", "left", "right", "base"]);
    const report = new BatchReport("start", ["top", "left"]);
    await startInOrder(report, graph, ["top", "left"], pkgs);
    assert.deepEqual(pkgs.done, ["start base", "start left", "start right", "start top"]);
    assert.deepEqual(summary(report), ["base:ok (taken in)", "left:ok", "right:ok (taken in)", "top:ok"]);
  });

  test("a dependency that already runs is neither started again nor reported", async () => {
    const graph = DependencyGraph.of([["app", ["base"]], ["base", []]]);
    const pkgs = fakePackages(["app", "base"], ["base"]);
    const report = new BatchReport("start", ["app"]);
    await startInOrder(report, graph, ["app"], pkgs);
    assert.deepEqual(pkgs.done, ["start app"]);
    assert.deepEqual(summary(report), ["app:ok"]);
  });

  test("members of a cycle are refused with the cycle named; the rest of the batch starts", async () => {
    const graph = DependencyGraph.of([["@a/x", ["@a/y"]], ["@a/y", ["@a/x"]], ["@a/w", ["@a/x"]], ["base", []], ["app", ["base"]]]);
    const pkgs = fakePackages(["@a/x", "@a/y", "@a/w", "base", "app"]);
    const report = new BatchReport("start", ["@a/x", "app", "@a/w"]);
    await startInOrder(report, graph, ["@a/x", "app", "@a/w"], pkgs);
    assert.deepEqual(pkgs.done, ["start base", "start app"]);
    const errors = new Map(report.results.map((r) => [r.name, r.error as IsopodError | undefined]));
    assert.equal(errors.get("@a/x")?.code, "dependency_cycle");
    assert.equal(errors.get("@a/x")?.message, 'cannot start "@a/x": it is in the dependency cycle @a/x -> @a/y -> @a/x');
    assert.equal(errors.get("@a/y")?.code, "dependency_cycle");
    assert.equal(errors.get("@a/w")?.code, "dependency_failed");
    assert.match(errors.get("@a/w")!.message, /dependency "@a\/x" did not start: .*cycle @a\/x -> @a\/y -> @a\/x/);
    assert.equal(errors.get("app"), undefined);
  });

  test("a package whose dependency fails is refused, naming the dependency and its reason; siblings go on", async () => {
    const graph = DependencyGraph.of([["app", ["base"]], ["base", []], ["solo", []]]);
    const pkgs = fakePackages(["app", "base", "solo"], [], ["base"]);
    const report = new BatchReport("start", ["app", "solo"]);
    await startInOrder(report, graph, ["app", "solo"], pkgs);
    assert.deepEqual(pkgs.done, ["start base", "start solo"]);
    const app = report.results.find((r) => r.name === "app")!;
    assert.equal((app.error as IsopodError).code, "dependency_failed");
    assert.equal((app.error as IsopodError).message, 'cannot start "app": dependency "base" did not start: cannot start "base": boom');
    assert.throws(() => report.outcome("app"), { code: "dependency_failed" });
    assert.doesNotThrow(() => report.outcome("solo"));
  });

  test("a name that is not installed is refused as not found; a missing dependency refuses its dependent", async () => {
    const graph = DependencyGraph.of([["app", ["gone"]]]);
    const pkgs = fakePackages(["app"]);
    const report = new BatchReport("start", ["app", "ghost"]);
    await startInOrder(report, graph, ["app", "ghost"], pkgs);
    assert.deepEqual(pkgs.done, []);
    assert.deepEqual(summary(report).sort(), ["app:dependency_failed", "ghost:not_found"]);
    assert.match((report.errorOf("app") as Error).message, /dependency "gone" is not installed/);
  });
});

describe("dependentsFirst()", () => {
  const graph = DependencyGraph.of([["top", ["left", "right"]], ["left", ["base"]], ["right", ["base"]], ["base", []], ["idle", ["base"]]]);
  const stopping = (pkgs: ReturnType<typeof fakePackages>) => ({
    ...pkgs,
    verb: "stop",
    needed: (name: string) => pkgs.isRunning(name),
    holds: (name: string) => pkgs.isRunning(name),
    step: (name: string) => pkgs.stop(name),
  });

  test("stops what depends on a package before the package, and leaves what was not running alone", async () => {
    const pkgs = fakePackages(["top", "left", "right", "base", "idle"], ["top", "left", "right", "base"]);
    const report = new BatchReport("stop", ["base"]);
    await dependentsFirst(report, graph, ["base"], stopping(pkgs));
    assert.equal(pkgs.done.at(-1), "stop base");
    assert.equal(pkgs.done[0], "stop top");
    assert.deepEqual([...pkgs.done].sort(), ["stop base", "stop left", "stop right", "stop top"]);
    assert.deepEqual(summary(report).at(-1), "base:ok");
  });

  test("a package is refused while a dependent could not be handled first", async () => {
    const pkgs = fakePackages(["app", "base"], ["app", "base"]);
    const stubborn = { ...stopping(pkgs), step: async (name: string) => { if (name === "app") throw new Error("stuck"); await pkgs.stop(name); } };
    const report = new BatchReport("stop", ["base"]);
    await dependentsFirst(report, DependencyGraph.of([["app", ["base"]], ["base", []]]), ["base"], stubborn);
    assert.equal(pkgs.isRunning("base"), true);
    const base = report.errorOf("base") as IsopodError;
    assert.equal(base.code, "conflict");
    assert.equal(base.message, 'cannot stop "base": its dependent "app" could not be handled first');
  });
});

describe("dependentsFirst() with a cycle in the store", () => {
  test("members of a cycle do not block each other, so a cascade can still remove them", async () => {
    const graph = DependencyGraph.of([["x", ["y"]], ["y", ["x"]], ["base", []], ["x2", ["x"]]]);
    const installed = new Set(["x", "y", "x2"]);
    const removed: string[] = [];
    const report = new BatchReport("delete", ["x"]);
    await dependentsFirst(report, graph, ["x"], {
      isInstalled: (name) => installed.has(name),
      isRunning: () => false,
      verb: "delete",
      needed: () => true,
      holds: (name) => installed.has(name),
      step: async (name) => {
        removed.push(name);
        installed.delete(name);
      },
    });
    assert.equal(removed[0], "x2");
    assert.deepEqual([...removed].sort(), ["x", "x2", "y"]);
    assert.ok(report.results.every((r) => r.ok));
  });
});

describe("BatchReport", () => {
  test("a package's later step moves its result to the end and adds up the time", async () => {
    const report = new BatchReport("reload", ["a", "b"]);
    await report.step("a", async () => undefined);
    await report.step("b", async () => undefined);
    await report.step("a", () => Promise.reject(new Error("late")));
    assert.deepEqual(report.results.map((r) => [r.name, r.ok]), [["b", true], ["a", false]]);
    assert.throws(() => report.outcome("a"), /late/);
  });

  test("a failure sticks: a later step that succeeds does not hide it", async () => {
    const report = new BatchReport("reload", ["a"]);
    report.refuse("a", new IsopodError("dependency_cycle", "refused"));
    await report.step("a", async () => undefined);
    assert.equal(report.results[0]?.ok, false);
    assert.throws(() => report.outcome("a"), /refused/);
  });

  test("each() runs an operation on one package at a time, going on after a failure", async () => {
    const report = await BatchReport.each("upgrade", ["a", "b"], async (name) => {
      if (name === "a") throw new Error("no");
    });
    assert.deepEqual(report.results.map((r) => [r.name, r.ok, r.requested]), [["a", false, true], ["b", true, true]]);
  });
});
