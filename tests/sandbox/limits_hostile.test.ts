// Packages that try to take the host down: loops in every place code runs,
// memory bombs, timer floods, deep recursion, hanging stops. Each is ended
// with the right reason while a canary keeps serving, the control plane keeps
// answering, and SQLite keeps everything it had.

import assert from "node:assert/strict";
import { test } from "node:test";
import { addModule } from "../helpers/add_module.ts";
import { assertApiError } from "../helpers/assertions.ts";
import { assertNothingLost, snapshotStore, useCanary } from "../helpers/canary.ts";
import { useHost, type TestHost } from "../helpers/use_host.ts";
import { waitFor } from "../helpers/wait_for.ts";

/** The restart policy off, so the reason a package failed stays in its error. */
const NO_RESTART = { maxRestarts: 0 };

async function hostWithCanary(t: Parameters<typeof useHost>[0]) {
  const h = await useHost(t);
  const canary = await useCanary(t, h);
  return { h, canary, before: snapshotStore(h) };
}

async function record(h: TestHost, name: string): Promise<any> {
  return (await h.json("GET", `/v1/packages/${name}`)).body;
}

async function failedWith(h: TestHost, name: string, code: string, timeoutMs = 10_000): Promise<any> {
  await waitFor(async () => (await record(h, name)).state === "failed", timeoutMs);
  const failed = await record(h, name);
  assert.equal(failed.error.code, code, JSON.stringify(failed.error));
  return failed;
}

for (const [limits, reason, limit] of [
  [{ cpuMs: 300, timeoutMs: 20_000 }, "cpu-time", "cpuMs"],
  [{ timeoutMs: 300 }, "wall-time", "timeoutMs"],
] as const) {
  test(`an infinite loop in start is ended by ${limit} (${reason}) and the start fails naming it`, async (t) => {
    const { h, canary, before } = await hostWithCanary(t);
    await addModule(t, h, "spins", `export default { start() { for (;;) {} } };`, { manifest: { isopod: { limits } } });
    const started = performance.now();
    const answer = await h.json("POST", "/v1/packages/spins/start");
    assertApiError(answer, 422, "start_failed", reason === "cpu-time" ? /cpuMs of 300 ms/ : /300 ms \(timeoutMs\)/);
    assert.equal(answer.body.error.reason, reason);
    assert.ok(performance.now() - started < 10_000, "the loop was waited for instead of ended");
    assert.equal((await record(h, "spins")).error.code, reason);
    await canary.check();
    assertNothingLost(h, before);
  });
}

test("an infinite loop in fetch is ended by cpuMs: the request is 503 naming it, and the package is restarted", async (t) => {
  const { h, canary, before } = await hostWithCanary(t);
  const mod = `export default { fetch(request) { if (new URL(request.url).pathname === "/spin") for (;;) {} return new Response("fine"); } };`;
  await addModule(t, h, "spins", mod, { start: true, manifest: { isopod: { limits: { cpuMs: 300, timeoutMs: 20_000 } } } });
  const answer = await h.json("GET", "/pkg/spins/spin", { token: null });
  assertApiError(answer, 503, "limit_exceeded", /cpuMs/);
  assert.equal(answer.body.error.limit, "cpuMs");
  assert.match(answer.body.error.message, /a request used more than its cpuMs of 300 ms/);
  // The restart policy brings it back after the first backoff.
  await waitFor(async () => (await record(h, "spins")).state === "running", 10_000);
  assert.equal((await h.request("GET", "/pkg/spins/", { token: null }).then((r) => r.text())), "fine");
  const restarts = (await h.json("GET", "/v1/operations?package=spins")).body.items.filter((entry: any) => entry.actor === "host");
  assert.equal(restarts.length, 1);
  assert.deepEqual(restarts[0].params, { reason: "restart", attempt: 1 });
  assert.equal(h.host.stats.get("spins").restarts, 1);
  assert.deepEqual(h.host.stats.get("spins").failures, { "cpu-time": 1 });
  await canary.check();
  assertNothingLost(h, before);
});

for (const [limits, reason] of [
  [{ cpuMs: 300, timeoutMs: 20_000 }, "cpu-time"],
  [{ timeoutMs: 300 }, "wall-time"],
] as const) {
  test(`an infinite loop in a timer callback ends the isolate with ${reason}`, async (t) => {
    const { h, canary, before } = await hostWithCanary(t);
    const mod = `export default { start() { setTimeout(() => { for (;;) {} }, 20); } };`;
    await addModule(t, h, "spins", mod, { start: true, manifest: { isopod: { limits, restart: NO_RESTART } } });
    const failed = await failedWith(h, "spins", reason);
    assert.match(failed.error.message, /timer callback/);
    await canary.check();
    assertNothingLost(h, before);
  });
}

test("a loop of synchronous host calls is not CPU time of the isolate, and is ended by timeoutMs", async (t) => {
  const { h, canary, before } = await hostWithCanary(t);
  // performance.now() is answered by the host: the isolate's CPU clock hardly moves.
  const mod = `export default { start() { setTimeout(() => { for (;;) performance.now(); }, 20); } };`;
  await addModule(t, h, "caller", mod, { start: true, manifest: { isopod: { limits: { cpuMs: 200, timeoutMs: 1_000 }, restart: NO_RESTART } } });
  await failedWith(h, "caller", "wall-time");
  await canary.check();
  assertNothingLost(h, before);
});

test("an infinite loop in a registry method ends the provider with cpu-time; the caller gets an error and goes on", async (t) => {
  const { h, canary, before } = await hostWithCanary(t);
  const provider = `export default { start(ctx) { ctx.registry.provide("spin", { run() { for (;;) {} } }); } };`;
  await addModule(t, h, "looper", provider, {
    start: true,
    manifest: { isopod: { limits: { cpuMs: 300, timeoutMs: 20_000 }, restart: NO_RESTART } },
  });
  const consumer = `
    let spin;
    export default {
      async start(ctx) { spin = await ctx.registry.use("looper", "spin"); },
      async fetch() {
        try { await spin.run(); return new Response("returned"); }
        catch (error) { return Response.json({ name: error.name, message: error.message }); }
      },
    };`;
  await addModule(t, h, "caller", consumer, {
    start: true,
    manifest: { isopod: { dependencies: { looper: "^1.0.0" }, limits: { timeoutMs: 20_000 } } },
  });
  const answer = await h.request("GET", "/pkg/caller/", { token: null });
  assert.equal(answer.status, 200);
  const error = (await answer.json()) as { name: string; message: string };
  assert.notEqual(error.name, undefined, JSON.stringify(error));
  await failedWith(h, "looper", "cpu-time");
  assert.equal((await record(h, "caller")).state, "running");
  await canary.check();
  assertNothingLost(h, before);
});

test("a memory bomb in a timer ends the isolate with memory, and the host goes on", async (t) => {
  const { h, canary, before } = await hostWithCanary(t);
  const mod = `export default { start() { setTimeout(() => { const hog = []; for (;;) hog.push(new Array(1 << 16).fill(hog.length)); }, 20); } };`;
  await addModule(t, h, "bomb", mod, { start: true, manifest: { isopod: { limits: { memoryMb: 16, timeoutMs: 20_000, cpuMs: 20_000 }, restart: NO_RESTART } } });
  await failedWith(h, "bomb", "memory");
  assert.deepEqual(h.host.stats.get("bomb").failures, { memory: 1 });
  await canary.check();
  assertNothingLost(h, before);
});

test("an allocation loop that stays under its memory limit keeps running", async (t) => {
  const { h, canary, before } = await hostWithCanary(t);
  // About 16 MiB kept for good and 8 MiB churned every 10 ms, under a 32 MiB limit (22 MiB is not enough).
  const mod = `
    const kept = new Uint8Array(16 << 20).fill(1);
    let rounds = 0;
    export default {
      start() {
        setInterval(() => {
          const churn = [new Uint8Array(4 << 20).fill(1), new Uint8Array(4 << 20).fill(2)];
          rounds += churn[1][0] - churn[0][0];
        }, 10);
      },
      fetch() { return Response.json({ rounds, kept: kept.length }); },
    };`;
  await addModule(t, h, "churn", mod, { start: true, manifest: { isopod: { limits: { memoryMb: 32 }, restart: NO_RESTART } } });
  const ask = async () => (await (await h.request("GET", "/pkg/churn/", { token: null })).json()) as { rounds: number; kept: number };
  await waitFor(async () => (await ask()).rounds >= 100, 20_000);
  assert.equal((await ask()).kept, 16 << 20);
  assert.equal((await record(h, "churn")).state, "running");
  assert.deepEqual(h.host.stats.get("churn").failures, {});
  await canary.check();
  assertNothingLost(h, before);
});

test("a flood of timers is capped: the package that wants ever more fails with RangeError, the host stays responsive", async (t) => {
  const { h, canary, before } = await hostWithCanary(t);
  // Each callback sets two more: the number of timers grows until the host's cap refuses one.
  const mod = `export default { start() { const spawn = () => { setTimeout(spawn, 0); setTimeout(spawn, 0); }; spawn(); } };`;
  await addModule(t, h, "flood", mod, { start: true, manifest: { isopod: { restart: NO_RESTART } } });
  const failed = await failedWith(h, "flood", "uncaught-error", 30_000);
  assert.match(failed.error.message, /RangeError: too many timers/);
  await canary.check();
  assertNothingLost(h, before);
});

test("ten thousand intervals at 0 ms do not pile up work in the host", async (t) => {
  const { h, canary, before } = await hostWithCanary(t);
  const mod = `
    let fired = 0;
    export default {
      start() { for (let i = 0; i < 10000; i++) setInterval(() => { fired++; }, 0); },
      fetch() { return Response.json({ fired }); },
    };`;
  await addModule(t, h, "intervals", mod, { start: true });
  const rssBefore = process.memoryUsage().rss;
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const { fired } = (await (await h.request("GET", "/pkg/intervals/", { token: null })).json()) as { fired: number };
  assert.ok(fired > 1_000, `only ${fired} callbacks ran`);
  const grewMb = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
  // Due fires are not queued without bound (before, this grew by hundreds of MiB a second).
  assert.ok(grewMb < 200, `the host grew by ${Math.round(grewMb)} MiB`);
  assert.equal((await record(h, "intervals")).state, "running");
  await canary.check();
  assertNothingLost(h, before);
});

test("deep recursion is a RangeError inside the package, not a host crash", async (t) => {
  const { h, canary, before } = await hostWithCanary(t);
  const mod = `
    const deep = (n: number): number => deep(n + 1) + 1;
    export default {
      fetch(request: Request) {
        if (new URL(request.url).pathname === "/uncaught") return new Response(String(deep(0)));
        try { deep(0); return new Response("no error"); } catch (error) { return new Response((error as Error).name + ": " + (error as Error).message); }
      },
    };`;
  await addModule(t, h, "deep", mod, { start: true });
  const caught = await h.request("GET", "/pkg/deep/", { token: null });
  assert.equal(caught.status, 200);
  assert.match(await caught.text(), /^RangeError: Maximum call stack size exceeded/);
  const uncaught = await h.request("GET", "/pkg/deep/uncaught", { token: null });
  assert.equal(uncaught.status, 500);
  assert.equal(await uncaught.text(), "Internal Server Error");
  assert.equal((await record(h, "deep")).state, "running");
  await canary.check();
  assertNothingLost(h, before);
});

for (const [what, stop, limits] of [
  ["hangs", "return new Promise(() => {});", { timeoutMs: 300 }],
  ["loops", "for (;;) {}", { cpuMs: 200, timeoutMs: 20_000 }],
] as const) {
  test(`a stop that ${what} is cut off and the package stops anyway`, async (t) => {
    const { h, canary, before } = await hostWithCanary(t);
    await addModule(t, h, "clingy", `export default { stop() { ${stop} } };`, { start: true, manifest: { isopod: { limits } } });
    const started = performance.now();
    const stopped = await h.json("POST", "/v1/packages/clingy/stop");
    assert.equal(stopped.status, 200, JSON.stringify(stopped.body));
    assert.equal(stopped.body.state, "installed");
    assert.ok(performance.now() - started < 10_000);
    h.host.logs.flush();
    assert.ok(h.host.logs.tail("clingy", 5).some((entry) => entry.level === "error" && /stop failed/.test(entry.message)));
    await canary.check();
    assertNothingLost(h, before);
  });
}
