// The restart policy: a running package that fails is restarted with
// exponential backoff, until too many failures in a window make it a crash
// loop; operators' operations cancel or reset it. Timings are read from the
// audit log, with generous bounds (the machine is shared). The policy's
// arithmetic alone is tested beside it, in runtime/restart/restart_policy.test.ts.

import assert from "node:assert/strict";
import { test } from "node:test";
import { addGraph } from "../helpers/dependency_fixture.ts";
import { addModule } from "../helpers/add_module.ts";
import { addPackage } from "../helpers/add_package.ts";
import { assertApiError, assertNothingInstalled } from "../helpers/assertions.ts";
import { assertNothingLost, snapshotStore, useCanary } from "../helpers/canary.ts";
import { writePackage } from "../helpers/package_fixture.ts";
import { useHost, type TestHost } from "../helpers/use_host.ts";
import { useTmp } from "../helpers/use_tmp.ts";
import { waitFor } from "../helpers/wait_for.ts";

/** Starts, then throws from a timer a few ms later: every run of it fails. */
const CRASHES_SOON = `export default { start() { setTimeout(() => { throw new Error("crashed on purpose"); }, 5); } };`;

interface AuditEntry {
  at: string;
  actor: string;
  operation: string;
  params: Record<string, unknown>;
  result: string;
}

/** The host's restarts of `name`, oldest first. */
async function restartsOf(h: TestHost, name: string): Promise<AuditEntry[]> {
  const items = (await h.json("GET", `/v1/operations?package=${encodeURIComponent(name)}`)).body.items as AuditEntry[];
  return items.filter((entry) => entry.actor === "host" && entry.params.reason === "restart").reverse();
}

async function record(h: TestHost, name: string): Promise<any> {
  return (await h.json("GET", `/v1/packages/${name}`)).body;
}

test("a package that crashes soon after every start is restarted with growing gaps, then left failed as a crash loop", async (t) => {
  const h = await useHost(t);
  const canary = await useCanary(t, h);
  const before = snapshotStore(h);
  const restart = { maxRestarts: 4, backoffMs: 200, windowMs: 60_000 };
  await addModule(t, h, "crashy", CRASHES_SOON, { start: true, manifest: { isopod: { restart } } });
  await waitFor(async () => (await record(h, "crashy")).error?.code === "crash-loop", 30_000);
  const failed = await record(h, "crashy");
  assert.equal(failed.state, "failed");
  assert.equal(failed.desiredState, "running");
  assert.match(failed.error.message, /^"crashy" failed 5 times within 60000 ms \(the last with uncaught-error: .*crashed on purpose.*\); it stays failed until an operator starts it$/);
  const restarts = await restartsOf(h, "crashy");
  assert.deepEqual(restarts.map((entry) => entry.params.attempt), [1, 2, 3, 4]);
  assert.ok(restarts.every((entry) => entry.operation === "start" && entry.result === "ok"));
  // Each gap is at least the delay of its attempt (400, 800, 1600 ms), and each is longer than the one before.
  const times = restarts.map((entry) => Date.parse(entry.at));
  const gaps = times.slice(1).map((at, i) => at - times[i]!);
  gaps.forEach((gap, i) => assert.ok(gap >= 200 * 2 ** (i + 1) - 20 && gap < 200 * 2 ** (i + 1) + 3_000, `gaps ${gaps.join(", ")}`));
  assert.ok(gaps[1]! > gaps[0]! && gaps[2]! > gaps[1]!, `gaps ${gaps.join(", ")}`);
  assert.equal(h.host.stats.get("crashy").restarts, 4);
  assert.deepEqual(h.host.stats.get("crashy").failures, { "uncaught-error": 5 });
  h.host.logs.flush();
  assert.ok(h.host.logs.tail("crashy", 20).some((entry) => entry.level === "error" && entry.message.startsWith("crash loop:")));
  // It stays failed: nothing more is scheduled.
  await new Promise((resolve) => setTimeout(resolve, 800));
  assert.equal((await restartsOf(h, "crashy")).length, 4);
  await canary.check();
  assertNothingLost(h, before);
});

test("an operator's start resets the crash loop: the next failure is restart 1 again", async (t) => {
  const h = await useHost(t);
  await addModule(t, h, "crashy", CRASHES_SOON, { start: true, manifest: { isopod: { restart: { maxRestarts: 1, backoffMs: 100 } } } });
  await waitFor(async () => (await record(h, "crashy")).error?.code === "crash-loop", 10_000);
  const started = await h.json("POST", "/v1/packages/crashy/start");
  assert.equal(started.status, 200, JSON.stringify(started.body));
  await waitFor(async () => (await restartsOf(h, "crashy")).length === 2, 10_000);
  assert.deepEqual((await restartsOf(h, "crashy")).map((entry) => entry.params.attempt), [1, 1]);
  await waitFor(async () => (await record(h, "crashy")).error?.code === "crash-loop", 10_000);
});

test("a package that fails on every start after its first run reaches the crash loop through failed restarts", async (t) => {
  const h = await useHost(t);
  // The first run leaves a mark in ./data and crashes later; every later start finds the mark and throws.
  const mod = `
    export default {
      async start() {
        const runs = Number(await Deno.readTextFile("./data/runs").catch(() => "0"));
        await Deno.writeTextFile("./data/runs", String(runs + 1));
        if (runs > 0) throw new Error("cannot start again");
        setTimeout(() => { throw new Error("first run crashed"); }, 5);
      },
    };`;
  const grant = { read: ["./data"], write: ["./data"] };
  const manifest = { permissions: { default: grant }, isopod: { restart: { maxRestarts: 3, backoffMs: 100 } } };
  await addPackage(t, h, "fragile", { manifest, files: { "mod.ts": mod }, grant });
  await waitFor(async () => (await record(h, "fragile")).error?.code === "crash-loop", 20_000);
  const restarts = await restartsOf(h, "fragile");
  assert.deepEqual(restarts.map((entry) => [entry.params.attempt, entry.result]), [[1, "error"], [2, "error"], [3, "error"]]);
  assert.match((await record(h, "fragile")).error.message, /failed 4 times .*the last with uncaught-error: cannot start "fragile".*cannot start again/);
  assert.equal(h.host.stats.get("fragile").restarts, 3);
});

for (const [operation, send] of [
  ["stop", (h: TestHost) => h.json("POST", "/v1/packages/crashy/stop")],
  ["delete", (h: TestHost) => h.json("DELETE", "/v1/packages/crashy")],
] as const) {
  test(`a ${operation} while a restart is pending cancels it`, async (t) => {
    const h = await useHost(t);
    await addModule(t, h, "crashy", CRASHES_SOON, { start: true, manifest: { isopod: { restart: { backoffMs: 600 } } } });
    await waitFor(async () => (await record(h, "crashy")).state === "failed", 10_000);
    assert.match((await record(h, "crashy")).error.message, /restart 1 of 5 in 600 ms$/);
    assert.equal((await send(h)).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    assert.deepEqual(await restartsOf(h, "crashy"), []);
    assert.equal(h.host.stats.get("crashy").restarts, 0);
    assert.equal((await record(h, "crashy")).state, operation === "stop" ? "installed" : undefined);
  });
}

test("a reload while a restart is pending cancels it and starts the package from its files", async (t) => {
  const h = await useHost(t);
  const root = await addModule(t, h, "crashy", CRASHES_SOON, { start: true, manifest: { isopod: { restart: { backoffMs: 600 } } } });
  await waitFor(async () => (await record(h, "crashy")).state === "failed", 10_000);
  const { writeFile } = await import("node:fs/promises");
  await writeFile(`${root}/mod.ts`, `export default { fetch() { return new Response("fixed"); } };`);
  const reloaded = await h.json("POST", "/v1/packages/crashy/reload");
  assert.equal(reloaded.status, 200, JSON.stringify(reloaded.body));
  assert.equal(reloaded.body.state, "running");
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  assert.deepEqual(await restartsOf(h, "crashy"), []);
  assert.equal(await (await h.request("GET", "/pkg/crashy/", { token: null })).text(), "fixed");
});

test("with maxRestarts 0 a failed package is not restarted and keeps its reason", async (t) => {
  const h = await useHost(t);
  await addModule(t, h, "crashy", CRASHES_SOON, { start: true, manifest: { isopod: { restart: { maxRestarts: 0 } } } });
  await waitFor(async () => (await record(h, "crashy")).state === "failed", 10_000);
  await new Promise((resolve) => setTimeout(resolve, 700));
  const failed = await record(h, "crashy");
  assert.equal(failed.state, "failed");
  assert.equal(failed.error.code, "uncaught-error");
  assert.doesNotMatch(failed.error.message, /restart/);
  assert.deepEqual(await restartsOf(h, "crashy"), []);
});

test("when a provider fails its dependents keep running, and it is restarted alone", async (t) => {
  const h = await useHost(t);
  await addGraph(t, h, {
    base: { mod: `export default { start() { setTimeout(() => { throw new Error("base crashed"); }, 50); } };`, isopod: { restart: { maxRestarts: 1, backoffMs: 100 } } },
    app: { deps: { base: "^1.0.0" } },
  });
  assert.equal((await h.json("POST", "/v1/packages/app/start")).status, 200);
  await waitFor(async () => (await record(h, "base")).error?.code === "crash-loop", 10_000);
  assert.equal((await record(h, "app")).state, "running");
  assert.deepEqual((await restartsOf(h, "base")).map((entry) => entry.params.attempt), [1]);
  assert.deepEqual(await restartsOf(h, "app"), []);
});

test("a dependent restarted while its provider is down fails that attempt instead of starting the provider", async (t) => {
  const h = await useHost(t);
  const crashAfter = (ms: number) => `export default { start() { setTimeout(() => { throw new Error("crashed"); }, ${ms}); } };`;
  await addGraph(t, h, {
    base: { mod: crashAfter(20), isopod: { restart: { maxRestarts: 0 } } },
    app: { deps: { base: "^1.0.0" }, mod: crashAfter(300), isopod: { restart: { maxRestarts: 2, backoffMs: 100 } } },
  });
  assert.equal((await h.json("POST", "/v1/packages/app/start")).status, 200);
  await waitFor(async () => (await record(h, "app")).error?.code === "crash-loop", 20_000);
  const attempts = await restartsOf(h, "app");
  assert.deepEqual(attempts.map((entry) => [entry.params.attempt, entry.result]), [[1, "error"], [2, "error"]]);
  assert.match((await record(h, "app")).error.message, /the last with dependency_failed: cannot restart "app": dependency "base" is not running/);
  assert.equal((await record(h, "base")).state, "failed");
  assert.deepEqual(await restartsOf(h, "base"), []);
});

test("restart settings that are not whole numbers of the right sign are refused at add, naming the field", async (t) => {
  const h = await useHost(t);
  const dir = await useTmp(t);
  for (const [restart, field] of [
    [{ maxRestarts: -1 }, "isopod.restart.maxRestarts"],
    [{ backoffMs: 0 }, "isopod.restart.backoffMs"],
    [{ windowMs: 1.5 }, "isopod.restart.windowMs"],
    [{ maxBackoffMs: "1s" }, "isopod.restart.maxBackoffMs"],
    [{ retries: 3 }, "isopod.restart"],
  ] as const) {
    const root = await writePackage(dir, `bad-${field.split(".").at(-1)}-${Object.keys(restart)[0]}`, { manifest: { isopod: { restart } } });
    const added = await h.json("POST", "/v1/packages", { body: { path: root } });
    assertApiError(added, 422, "invalid_package", new RegExp(`"${field.replaceAll(".", "\\.")}"`));
  }
  await assertNothingInstalled(h);
});
