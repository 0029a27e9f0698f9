// cpuMs through the real host: what counts against a call's CPU budget, and
// what does not (work the package does for other calls, waits, host calls).

import assert from "node:assert/strict";
import { test } from "node:test";
import { configFromEnv } from "../../runtime/config.ts";
import { addModule } from "../helpers/add_module.ts";
import { useHost, type TestHost } from "../helpers/use_host.ts";

/** `/spin?ms=N` burns N ms of CPU, `/hang` never answers, `/wait?ms=N` waits N ms. */
const WORKER = `
export default {
  async fetch(request: Request) {
    const url = new URL(request.url);
    const ms = Number(url.searchParams.get("ms") ?? "0");
    if (url.pathname === "/hang") await new Promise(() => {});
    if (url.pathname === "/wait") await new Promise((resolve) => setTimeout(resolve, ms));
    // Date.now is V8's own; performance.now would be a call into the host, which is not the isolate's CPU time.
    if (url.pathname === "/spin") { const end = Date.now() + ms; while (Date.now() < end) {} }
    return new Response("done " + url.pathname);
  },
};`;

async function worker(t: Parameters<typeof useHost>[0], limits: Record<string, number>): Promise<TestHost> {
  const h = await useHost(t);
  await addModule(t, h, "worker", WORKER, { start: true, manifest: { isopod: { limits, restart: { maxRestarts: 0 } } } });
  return h;
}

async function get(h: TestHost, path: string): Promise<number> {
  const response = await h.request("GET", `/pkg/worker${path}`, { token: null });
  await response.arrayBuffer();
  return response.status;
}

test("many calls that each stay under cpuMs add up to more than it, and the package keeps running", async (t) => {
  const h = await worker(t, { cpuMs: 300, timeoutMs: 5_000 });
  for (let i = 0; i < 10; i++) assert.equal(await get(h, "/spin?ms=100"), 200);
  assert.equal((await h.json("GET", "/v1/packages/worker")).body.state, "running");
});

test("a request the host gave up on is not charged for the CPU of the requests after it", async (t) => {
  const h = await worker(t, { cpuMs: 300, timeoutMs: 400 });
  assert.equal(await get(h, "/hang"), 503);
  for (let i = 0; i < 10; i++) assert.equal(await get(h, "/spin?ms=100"), 200);
  assert.equal((await h.json("GET", "/v1/packages/worker")).body.state, "running");
});

test("a request that waits is not charged for its wait, only a share of its busy neighbours' CPU", async (t) => {
  const h = await worker(t, { cpuMs: 300, timeoutMs: 5_000 });
  const waiting = get(h, "/wait?ms=1500");
  // 400 ms of neighbours' CPU while it waits: shared, it is charged about 200.
  for (let i = 0; i < 4; i++) assert.equal(await get(h, "/spin?ms=100"), 200);
  assert.equal(await waiting, 200);
  assert.equal((await h.json("GET", "/v1/packages/worker")).body.state, "running");
});

test("a package that asks for no cpuMs gets the host's default", async (t) => {
  const h = await useHost(t, { caps: { ...configFromEnv({}).caps, defaultCpuMs: 200 } });
  await addModule(t, h, "worker", WORKER, { start: true, manifest: { isopod: { restart: { maxRestarts: 0 } } } });
  const answer = await h.json("GET", "/pkg/worker/spin?ms=3000", { token: null });
  assert.equal(answer.status, 503);
  assert.equal(answer.body.error.limit, "cpuMs");
  assert.match(answer.body.error.message, /cpuMs of 200 ms/);
  assert.equal((await h.json("GET", "/v1/packages/worker")).body.error.code, "cpu-time");
});

test("a package's cpuMs is capped by the host", async (t) => {
  const h = await useHost(t, { caps: { ...configFromEnv({}).caps, maxCpuMs: 200 } });
  await addModule(t, h, "worker", WORKER, { start: true, manifest: { isopod: { limits: { cpuMs: 60_000 }, restart: { maxRestarts: 0 } } } });
  const answer = await h.json("GET", "/pkg/worker/spin?ms=3000", { token: null });
  assert.equal(answer.status, 503);
  assert.match(answer.body.error.message, /cpuMs of 200 ms/);
});
