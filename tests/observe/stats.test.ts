// Statistics through the API: GET /v1/stats, /v1/isolates, the samples the
// sampler writes to SQLite, and GET /metrics in the Prometheus text format.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertApiError } from "../helpers/assertions.ts";
import { addModule } from "../helpers/add_module.ts";
import { useHost } from "../helpers/use_host.ts";
import { waitFor } from "../helpers/wait_for.ts";
import { MAX_TRACKED_PACKAGES } from "../../runtime/observe/stats_counters.ts";

/** Keeps about 1 MB of strings alive so the heap figures have something to show. */
const HOLDER = `const kept = []; export default { start() { for (let i = 0; i < 1000; i++) kept.push("k".repeat(1000) + i); setInterval(() => {}, 1000); } };`;

const packageIn = (body: any, name: string) => body.packages.find((p: any) => p.name === name);

describe("GET /v1/stats", () => {
  test("shows each package's state, isolate figures and counters, and the host's", async (t) => {
    const h = await useHost(t);
    await addModule(t, h, "holder", HOLDER, { start: true, manifest: { isopod: { limits: { memoryMb: 32 } } } });
    await addModule(t, h, "idle", `export default {};`);
    h.host.stats.countRequest("holder", 200);
    h.host.stats.countRequest("holder", 404);
    h.host.stats.countRequest("holder", 500);
    h.host.stats.countRequest("holder", 503);
    h.host.stats.countRestart("holder");
    const stats = await h.json("GET", "/v1/stats");
    assert.equal(stats.status, 200);
    const holder = packageIn(stats.body, "holder");
    assert.equal(holder.state, "running");
    assert.equal(holder.isolates, 1);
    assert.ok(holder.cpuMs > 0, `cpuMs ${holder.cpuMs}`);
    assert.ok(holder.heapUsedBytes > 1_000_000, `heapUsedBytes ${holder.heapUsedBytes}`);
    assert.ok(holder.heapLimitBytes >= 32 * 1024 * 1024, `heapLimitBytes ${holder.heapLimitBytes}`);
    assert.equal(holder.requests, 4);
    assert.equal(holder.errors, 2);
    assert.equal(holder.restarts, 1);
    assert.equal(holder.failures, 0);
    assert.ok(holder.uptimeMs >= 0);
    const idle = packageIn(stats.body, "idle");
    assert.deepEqual(
      { state: idle.state, isolates: idle.isolates, cpuMs: idle.cpuMs, uptimeMs: idle.uptimeMs, requests: idle.requests },
      { state: "installed", isolates: 0, cpuMs: 0, uptimeMs: 0, requests: 0 },
    );
    const host = stats.body.host;
    assert.deepEqual(host.packages, { installed: 2, running: 1, failed: 0 });
    assert.equal(host.isolates, 1);
    assert.equal(host.pid, process.pid);
    assert.ok(host.rssBytes > 0 && host.uptimeMs >= 0);
    assert.equal(new Date(host.startedAt).toISOString(), host.startedAt);
    assert.deepEqual(stats.body.resources, []);
    assert.equal(stats.body.sampler.intervalMs, 10_000);
    assert.equal(stats.body.retention.bounds.logs.maxRows, 100_000);
    assert.ok(stats.body.retention.lastRun, "retention ran at boot");
    assert.ok(stats.body.storage.databaseBytes > 0);
  });

  test("counts an isolate that fails by itself, by reason", async (t) => {
    const h = await useHost(t);
    await addModule(t, h, "late", `export default { start() { setTimeout(() => { throw new Error("late boom"); }, 10); } };`, { start: true });
    await waitFor(async () => (await h.json("GET", "/v1/packages/late")).body.state === "failed");
    const late = packageIn((await h.json("GET", "/v1/stats")).body, "late");
    assert.equal(late.failures, 1);
    assert.deepEqual(late.failuresByReason, { "uncaught-error": 1 });
    assert.equal(late.isolates, 0);
    assert.equal(late.uptimeMs, 0);
  });

  test("answers while a package spins in a loop, and its CPU time grows", async (t) => {
    const h = await useHost(t);
    await addModule(
      t,
      h,
      "spinner",
      `export default { start() { setTimeout(() => { const end = Date.now() + 4000; while (Date.now() < end) {} console.log("loop over"); }, 50); } };`,
      { start: true, manifest: { isopod: { limits: { timeoutMs: 20000, cpuMs: 20000 } } } },
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const first = packageIn((await h.json("GET", "/v1/stats")).body, "spinner");
    const isolates = await h.json("GET", "/v1/isolates");
    const second = packageIn((await h.json("GET", "/v1/stats")).body, "spinner");
    // Both answers came while the loop was still running.
    assert.ok(!h.host.logs.tail("spinner", 5).some((entry) => entry.message === "loop over"), "stats waited for the loop");
    assert.equal(isolates.status, 200);
    assert.ok(second.cpuMs > first.cpuMs, `cpu ${first.cpuMs} then ${second.cpuMs}`);
    assert.ok(first.cpuMs > 100, `cpu ${first.cpuMs}`);
  });

  test("a viewer token may read it; without a token it is 401", async (t) => {
    const h = await useHost(t);
    const viewer = h.host.tokens.create("dashboard", "viewer").token;
    assert.equal((await h.json("GET", "/v1/stats", { token: viewer })).status, 200);
    assert.equal((await h.json("GET", "/v1/isolates", { token: viewer })).status, 200);
    assertApiError(await h.json("GET", "/v1/stats", { token: null }), 401, "unauthorized");
    assertApiError(await h.json("GET", "/v1/isolates", { token: "wrong" }), 401, "unauthorized");
  });

  test("request counters do not grow without bound and forget packages that are gone", async (t) => {
    const h = await useHost(t);
    await addModule(t, h, "kept", `export default {};`);
    for (let i = 0; i < MAX_TRACKED_PACKAGES + 500; i++) h.host.stats.countRequest(`ghost-${i}`, 404);
    assert.equal(h.host.stats.size, MAX_TRACKED_PACKAGES);
    await h.host.sampler.sample();
    assert.equal(h.host.stats.size, 0, "the sample forgot every package that is not installed");
    h.host.stats.countRequest("kept", 200);
    await h.host.sampler.sample();
    assert.equal(h.host.stats.get("kept").requests, 1, "an installed package's counters stay");
  });
});

describe("GET /v1/isolates", () => {
  test("lists each live isolate with its package, CPU, heap and age", async (t) => {
    const h = await useHost(t);
    await addModule(t, h, "holder", HOLDER, { start: true });
    const list = await h.json("GET", "/v1/isolates");
    assert.equal(list.body.items.length, 1);
    const [isolate] = list.body.items;
    assert.match(isolate.id, /^holder#\d+$/);
    assert.equal(isolate.package, "holder");
    for (const field of ["cpuMs", "wallMs", "heapUsedBytes", "heapTotalBytes", "heapLimitBytes", "externalBytes", "ageMs"]) {
      assert.equal(typeof isolate[field], "number", field);
    }
    assert.ok(isolate.wallMs >= isolate.cpuMs * 0.5);
    assert.equal(new Date(isolate.createdAt).toISOString(), isolate.createdAt);
    await h.json("POST", "/v1/packages/holder/stop");
    assert.deepEqual((await h.json("GET", "/v1/isolates")).body.items, []);
  });
});

describe("statistics samples", () => {
  test("the sampler writes one row per package at its interval", async (t) => {
    const h = await useHost(t, { statsIntervalMs: 50 });
    await addModule(t, h, "holder", HOLDER, { start: true });
    h.host.stats.countRequest("holder", 200);
    // Samples taken while it was still installing do not count.
    await waitFor(() => h.host.store.stats.packageSamples({ name: "holder" }).filter((sample) => sample.state === "running").length >= 2);
    const samples = await h.json("GET", "/v1/stats/samples?package=holder&limit=2");
    assert.equal(samples.body.items.length, 2);
    const [older, newer] = samples.body.items;
    assert.ok(Date.parse(older.at) <= Date.parse(newer.at));
    assert.equal(newer.package, "holder");
    assert.equal(newer.state, "running");
    assert.equal(newer.requests, 1);
    assert.ok(newer.heapUsedBytes > 0 && newer.cpuMs >= 0);
    assert.ok((await h.json("GET", "/v1/stats")).body.sampler.samples >= 2);
  });

  test("filters by time and reads registry resource samples", async (t) => {
    const h = await useHost(t);
    h.host.store.stats.recordResources([
      { at: 1_000, resource: "@acme/db/query", provider: "@acme/db", calls: 10, errors: 1, timeouts: 0, p50Ms: 0.4, p99Ms: 3 },
      { at: 2_000, resource: "@acme/db/query", provider: "@acme/db", calls: 20, errors: 1, timeouts: 1, p50Ms: 0.5, p99Ms: 4 },
    ]);
    const since = new Date(1_500).toISOString();
    const items = (await h.json("GET", `/v1/stats/samples?resource=@acme/db/query&since=${since}`)).body.items;
    assert.deepEqual(items, [
      { at: new Date(2_000).toISOString(), resource: "@acme/db/query", provider: "@acme/db", calls: 20, errors: 1, timeouts: 1, p50Ms: 0.5, p99Ms: 4 },
    ]);
  });

  test("refuses bad queries with 400", async (t) => {
    const h = await useHost(t);
    for (const [query, message] of [
      ["since=yesterday", /"since" must be an ISO 8601 time, got "yesterday"/],
      ["limit=0", /"limit" must be a whole number from 1 to 10000, got "0"/],
      ["limit=10001", /"limit" must be a whole number/],
      ["limit=ten", /"limit" must be a whole number/],
      ["package=Bad%20Name", /"Bad Name" is not a valid package name/],
      ["package=a&resource=a/b", /give "package" or "resource", not both/],
    ] as const) {
      assertApiError(await h.json("GET", `/v1/stats/samples?${query}`), 400, "bad_request", message);
    }
  });
});

describe("GET /metrics", () => {
  test("serves the Prometheus text format to a viewer token, with the packages' series", async (t) => {
    const h = await useHost(t);
    await addModule(t, h, "holder", HOLDER, { start: true, manifest: { name: "@acme/holder" } });
    h.host.stats.countRequest("@acme/holder", 200);
    h.host.stats.countRequest("@acme/holder", 502);
    const viewer = h.host.tokens.create("prometheus", "viewer").token;
    const response = await h.request("GET", "/metrics", { token: viewer });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type")!, /^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    assert.match(text, /^# TYPE isopod_package_requests_total counter$/m);
    assert.match(text, /^isopod_package_up\{package="@acme\/holder"\} 1$/m);
    assert.match(text, /^isopod_package_requests_total\{package="@acme\/holder"\} 2$/m);
    assert.match(text, /^isopod_package_request_errors_total\{package="@acme\/holder"\} 1$/m);
    assert.match(text, /^isopod_package_heap_used_bytes\{package="@acme\/holder"\} [1-9]\d*$/m);
    assert.match(text, /^isopod_packages\{state="running"\} 1$/m);
    assert.match(text, /^isopod_isolates 1$/m);
    assert.match(text, /^process_cpu_user_seconds_total /m);
    // A package that is gone leaves no stale series.
    await h.json("DELETE", "/v1/packages/@acme/holder");
    const after = await (await h.request("GET", "/metrics")).text();
    assert.doesNotMatch(after, /@acme\/holder/);
  });

  test("needs a token", async (t) => {
    const h = await useHost(t);
    assertApiError(await h.json("GET", "/metrics", { token: null }), 401, "unauthorized");
  });
});
