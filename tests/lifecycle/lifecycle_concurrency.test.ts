// Operations at the same time: one package's operations wait for each other
// (with a bound), unrelated ones do not, and nothing holds a lock forever.

import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";
import { Store } from "../../db/index.ts";
import { configFromEnv } from "../../runtime/config.ts";
import { DataLayout } from "../../runtime/layout.ts";
import { PackageManager } from "../../runtime/lifecycle/package_manager.ts";
import { SANDBOX_GRACE_MS } from "../../runtime/lifecycle/package_runner.ts";
import type { HookName, IsolateSpec, IsolateStats, ResourceInfo, Sandbox, SandboxEvent, SandboxResponse } from "../../sandbox/index.ts";
import { assertApiError } from "../helpers/assertions.ts";
import { addGraph, runningNames } from "../helpers/dependency_fixture.ts";
import { writePackage } from "../helpers/package_fixture.ts";
import { useHost, type TestHost } from "../helpers/use_host.ts";
import { useTmp } from "../helpers/use_tmp.ts";
import { waitFor } from "../helpers/wait_for.ts";

/** A start hook that takes `ms` of awaited time. */
const slowStart = (ms: number) => `export default { start() { return new Promise((resolve) => setTimeout(resolve, ${ms})); } };`;

/** Waits until a package's start holds its lock (its state is `starting`). */
const whileStarting = (h: TestHost, name: string) => waitFor(() => h.host.store.packages.get(name)?.state === "starting", 5_000);

/** Whether a promise is still pending. */
async function pending(promise: Promise<unknown>): Promise<boolean> {
  const marker = Symbol("pending");
  return (await Promise.race([promise, new Promise((resolve) => setImmediate(() => resolve(marker)))])) === marker;
}

describe("operations at the same time", () => {
  test("a second operation on a busy package gives up with 409 busy and changes nothing", async (t) => {
    const h = await useHost(t, { lockWaitMs: 100 });
    await addGraph(t, h, { slow: { mod: slowStart(1_000) } });
    const starting = h.json("POST", "/v1/packages/slow/start");
    await whileStarting(h, "slow");
    const stop = await h.json("POST", "/v1/packages/slow/stop");
    assertApiError(stop, 409, "busy", /^"slow" is busy with another operation; gave up after 100 ms$/);
    assert.equal((await starting).body.state, "running");
    assert.equal((await h.json("GET", "/v1/packages/slow")).body.desiredState, "running");
  });

  test("a batch that touches a busy dependency gives up as a whole and starts nothing", async (t) => {
    const h = await useHost(t, { lockWaitMs: 100 });
    await addGraph(t, h, { slow: { mod: slowStart(1_000) }, app: { deps: { slow: "^1.0.0" } }, solo: {} });
    const starting = h.json("POST", "/v1/packages/slow/start");
    await whileStarting(h, "slow");
    const batch = await h.json("POST", "/v1/batch/start", { body: { names: ["solo", "app"] } });
    assertApiError(batch, 409, "busy", /"slow" is busy/);
    await starting;
    assert.deepEqual(await runningNames(h), ["slow"]);
    const audit = h.host.store.operations.list({ package: "app", limit: 1 })[0]!;
    assert.deepEqual([audit.result, audit.error?.code], ["error", "busy"]);
  });

  test("an operation on an unrelated package does not wait for a slow one", async (t) => {
    const h = await useHost(t);
    await addGraph(t, h, { slow: { mod: slowStart(1_500) }, other: {} });
    const slow = h.json("POST", "/v1/packages/slow/start");
    await whileStarting(h, "slow");
    const other = await h.json("POST", "/v1/packages/other/start");
    assert.equal(other.body.state, "running");
    assert.equal(await pending(slow), true, "the slow start is still going on");
    assert.equal((await slow).body.state, "running");
  });

  test("a dependent's start waits for its dependency's operation instead of overtaking it", async (t) => {
    const h = await useHost(t);
    await addGraph(t, h, { slow: { mod: slowStart(500) }, app: { deps: { slow: "^1.0.0" } } });
    const slow = h.json("POST", "/v1/packages/slow/start");
    await whileStarting(h, "slow");
    const app = await h.json("POST", "/v1/packages/app/start");
    assert.equal(app.body.state, "running");
    assert.equal(await pending(slow), false, "the dependency's start finished first");
    const started = h.host.store.operations.list().filter((op) => op.operation === "start" && op.result === "ok");
    assert.deepEqual(started.map((op) => op.package).reverse(), ["slow", "app"]);
  });

  test("a start hook that hangs is cut off at its timeout, and the operation waiting behind it then runs", async (t) => {
    const h = await useHost(t);
    await addGraph(t, h, {
      hangs: { mod: `export default { start() { return new Promise(() => {}); } };`, isopod: { limits: { timeoutMs: 300 } } },
    });
    const start = h.json("POST", "/v1/packages/hangs/start");
    await whileStarting(h, "hangs");
    const stop = await h.json("POST", "/v1/packages/hangs/stop");
    assert.equal(stop.status, 200);
    assert.equal(stop.body.state, "installed");
    assertApiError(await start, 422, "start_failed", /within 300 ms/);
  });
});

/** A sandbox whose `start` hook never answers: what a wedged sandbox process would look like. */
class SilentSandbox implements Sandbox {
  readonly calls: string[] = [];
  async load(spec: IsolateSpec): Promise<void> {
    this.calls.push(`load ${spec.packageName}`);
  }
  hook(_instanceId: string, hook: HookName): Promise<void> {
    this.calls.push(hook);
    return hook === "start" ? new Promise(() => {}) : Promise.resolve();
  }
  async dispose(): Promise<void> {
    this.calls.push("dispose");
  }
  request(): Promise<SandboxResponse> {
    return new Promise(() => {});
  }
  onEvent(_listener: (event: SandboxEvent) => void): void {}
  async stats(): Promise<IsolateStats[]> {
    return [];
  }
  async resources(): Promise<ResourceInfo[]> {
    return [];
  }
  async close(): Promise<void> {}
}

describe("a sandbox that does not answer", () => {
  test("does not hold the package's lock forever: the start fails and the next operation runs", async (t) => {
    const dir = await useTmp(t);
    const store = new Store(path.join(dir, "isopod.db"), { logLinesPerPackage: 100 });
    t.after(() => store.close());
    const sandbox = new SilentSandbox();
    const config = { ...configFromEnv({}), dataDir: dir, lockWaitMs: 10_000 };
    const manager = new PackageManager(store, sandbox, new DataLayout(dir), config);
    const root = await writePackage(dir, "wedged", { manifest: { isopod: { limits: { timeoutMs: 100 } } } });
    const actor = { name: "test" };
    await manager.add({ path: root }, actor);
    const started = performance.now();
    const report = await manager.start(["wedged"], actor);
    const waited = performance.now() - started;
    const error = report.errorOf("wedged") as { code: string; message: string };
    assert.equal(error.code, "start_failed");
    assert.match(error.message, /the sandbox did not answer within 2200 ms/);
    assert.ok(waited >= 2 * 100 + SANDBOX_GRACE_MS - 50, `gave up after ${waited} ms`);
    assert.equal(manager.get("wedged").state, "failed");
    assert.equal(sandbox.calls.at(-1), "dispose");
    const stopped = await manager.stop(["wedged"], actor);
    assert.equal(stopped.results[0]?.ok, true);
  });
});
