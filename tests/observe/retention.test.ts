// Retention: logs, statistics samples and the audit log are kept within their
// bounds by count, by age and (logs) by bytes, at boot and at an interval.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { NewOperation, PackageSample } from "../../db/index.ts";
import { configFromEnv, type HostConfig, type RetentionBound, type RetentionConfig } from "../../runtime/config.ts";
import { Host } from "../../runtime/host.ts";
import { addModule } from "../helpers/add_module.ts";
import { useHost, useServer, type TestHost } from "../helpers/use_host.ts";
import { useTmp } from "../helpers/use_tmp.ts";
import { waitFor } from "../helpers/wait_for.ts";

const DAY = 24 * 60 * 60 * 1000;
const defaults = () => configFromEnv({});

interface RetentionOverrides {
  intervalMs?: number;
  logs?: Partial<RetentionConfig["logs"]>;
  samples?: Partial<RetentionBound>;
  audit?: Partial<RetentionBound>;
}

/** The default bounds with some changed. */
function retention(overrides: RetentionOverrides): RetentionConfig {
  const base = defaults().retention;
  return {
    intervalMs: overrides.intervalMs ?? base.intervalMs,
    logs: { ...base.logs, ...overrides.logs },
    samples: { ...base.samples, ...overrides.samples },
    audit: { ...base.audit, ...overrides.audit },
  };
}

const operation = (at: number, i: number): NewOperation => ({
  at,
  actor: "test",
  operation: `op-${i}`,
  package: null,
  params: {},
  result: "ok",
  error: null,
  durationMs: 1,
});

const sample = (at: number, pkg = "svc"): PackageSample => ({
  at,
  package: pkg,
  state: "running",
  isolates: 1,
  cpuMs: 1,
  heapUsedBytes: 1,
  heapLimitBytes: 1,
  requests: 0,
  errors: 0,
  restarts: 0,
  failures: 0,
  uptimeMs: 1,
  logDropped: 0,
});

function seed(h: TestHost, times: number[]): void {
  const { store } = h.host;
  store.logs.appendMany(times.map((ts, i) => ({ package: "svc", level: "info" as const, message: `line ${i}`, ts })));
  store.stats.recordPackages(times.map((at) => sample(at)));
  times.forEach((at, i) => store.operations.record(operation(at, i)));
}

const counts = (h: TestHost) => ({
  logs: h.host.store.logs.size().lines,
  samples: h.host.store.stats.count().packages,
  audit: h.host.store.operations.count(),
});

describe("retention", () => {
  test("deletes logs, samples and audit entries older than their age bound, and keeps the rest", async (t) => {
    const h = await useHost(t, {
      retention: retention({ logs: { maxAgeMs: 2 * DAY }, samples: { maxAgeMs: 1 * DAY }, audit: { maxAgeMs: 3 * DAY } }),
    });
    await addModule(t, h, "svc", `export default {};`);
    const now = Date.now();
    const before = counts(h);
    seed(h, [now - 5 * DAY, now - 2.5 * DAY, now - 1.5 * DAY, now - 0.5 * DAY, now]);
    const run = await h.host.retention.run();
    assert.deepEqual(run.deleted, { logs: 2, samples: 3, audit: 1 });
    const after = counts(h);
    assert.deepEqual(after, { logs: before.logs + 3, samples: before.samples + 2, audit: before.audit + 4 });
    const logs = (await h.json("GET", "/v1/packages/svc/logs")).body.items.map((e: any) => e.message);
    assert.deepEqual(logs, ["line 2", "line 3", "line 4"]);
    const samples = (await h.json("GET", "/v1/stats/samples?package=svc")).body.items.map((s: any) => Date.parse(s.at));
    assert.deepEqual(samples, [now - 0.5 * DAY, now]);
    assert.ok(h.host.store.operations.list({ limit: 1000 }).every((op) => op.at >= now - 3 * DAY));
  });

  test("keeps at most maxRows of each, the newest", async (t) => {
    const h = await useHost(t, {
      logLinesPerPackage: 100_000,
      retention: retention({ logs: { maxRows: 10 }, samples: { maxRows: 7 }, audit: { maxRows: 5 } }),
    });
    const now = Date.now();
    seed(h, Array.from({ length: 50 }, (_, i) => now - 50 + i));
    await h.host.retention.run();
    assert.deepEqual(counts(h), { logs: 10, samples: 7, audit: 5 });
    assert.deepEqual(h.host.store.logs.tail("svc", 100).map((e) => e.message), Array.from({ length: 10 }, (_, i) => `line ${40 + i}`));
    assert.deepEqual(h.host.store.operations.list().map((op) => op.operation), ["op-49", "op-48", "op-47", "op-46", "op-45"]);
  });

  test("keeps the logs of all packages within a total of bytes", async (t) => {
    const h = await useHost(t, { retention: retention({ logs: { maxBytes: 10_000 } }) });
    const { store } = h.host;
    for (const pkg of ["a", "b", "c"]) {
      store.logs.appendMany(Array.from({ length: 10 }, () => ({ package: pkg, level: "info" as const, message: "m".repeat(1_000), ts: Date.now() })));
    }
    await h.host.retention.run();
    const size = store.logs.size();
    assert.ok(size.bytes <= 10_000 && size.bytes > 9_000, `${size.bytes} bytes kept`);
    assert.equal(store.logs.size("a").lines, 0, "the oldest package's lines went first");
    assert.equal(store.logs.size("c").lines, 10);
  });

  test("runs when the host boots", async (t) => {
    const dataDir = await useTmp(t);
    const config: HostConfig = { ...configFromEnv({ ISOPOD_ADMIN_TOKEN: "t" }), dataDir, port: 0 };
    const first = await Host.open(config);
    first.store.operations.record(operation(Date.now() - 400 * DAY, 1));
    first.store.logs.append("svc", "info", "ancient", Date.now() - 30 * DAY);
    first.store.stats.recordPackages([sample(Date.now() - 30 * DAY)]);
    await first.close();
    const second = await Host.open(config);
    t.after(() => second.close());
    assert.equal(second.store.operations.count(), 1, "nothing is deleted before boot");
    await second.boot();
    assert.equal(second.store.operations.count(), 0);
    assert.equal(second.store.logs.size().lines, 0);
    assert.equal(second.store.stats.count().packages, 0);
    assert.deepEqual(second.retention.info.lastRun?.deleted, { logs: 1, samples: 1, audit: 1 });
  });

  test("runs again at its interval", async (t) => {
    const h = await useHost(t, { retention: retention({ intervalMs: 50, audit: { maxRows: 3 } }) });
    for (let i = 0; i < 20; i++) h.host.store.operations.record(operation(Date.now(), i));
    await waitFor(() => h.host.store.operations.count() === 3);
  });

  test("deletes a large backlog in chunks while the API keeps answering", async (t) => {
    const h = await useHost(t, { logLinesPerPackage: 1_000_000, retention: retention({ logs: { maxRows: 1_000 } }) });
    const now = Date.now();
    for (let batch = 0; batch < 6; batch++) {
      h.host.store.logs.appendMany(Array.from({ length: 10_000 }, (_, i) => ({ package: "svc", level: "info" as const, message: `l${i}`, ts: now })));
    }
    let answered = 0;
    const server = await useServer(t, h);
    const running = h.host.retention.run();
    let done = false;
    void running.finally(() => (done = true));
    // Over a real socket: requests arrive as I/O, between retention's chunks.
    for (let i = 0; !done && i < 10_000; i++) {
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
      answered += 1;
    }
    const run = await running;
    assert.equal(run.deleted.logs, 59_000);
    assert.equal(h.host.store.logs.size().lines, 1_000);
    assert.ok(answered >= 2, `the API answered ${answered} time(s) while retention ran`);
    const stats = (await h.json("GET", "/v1/stats")).body.retention;
    assert.equal(stats.lastRun.deleted.logs, 59_000);
  });
});

describe("retention configuration", () => {
  test("has documented defaults", () => {
    const { retention: r, logs, statsIntervalMs } = defaults();
    assert.equal(r.intervalMs, 600_000);
    assert.deepEqual(r.logs, { maxRows: 100_000, maxBytes: 64 * 1024 * 1024, maxAgeMs: 14 * DAY });
    assert.deepEqual(r.samples, { maxRows: 200_000, maxAgeMs: 7 * DAY });
    assert.deepEqual(r.audit, { maxRows: 100_000, maxAgeMs: 365 * DAY });
    assert.deepEqual(logs, { bytesPerPackage: 1024 * 1024, rateLines: 1000, rateBytes: 1024 * 1024, maxFollowers: 256 });
    assert.equal(statsIntervalMs, 10_000);
  });

  test("reads every bound from the environment", () => {
    const config = configFromEnv({
      ISOPOD_RETENTION_INTERVAL_MS: "1000",
      ISOPOD_LOG_MAX_ROWS: "5",
      ISOPOD_LOG_MAX_BYTES: "6",
      ISOPOD_LOG_MAX_AGE_DAYS: "0",
      ISOPOD_STATS_MAX_ROWS: "7",
      ISOPOD_STATS_MAX_AGE_DAYS: "2",
      ISOPOD_AUDIT_MAX_ROWS: "8",
      ISOPOD_AUDIT_MAX_AGE_DAYS: "3",
      ISOPOD_LOG_BYTES: "4096",
      ISOPOD_LOG_RATE_LINES: "0",
      ISOPOD_LOG_RATE_BYTES: "10",
      ISOPOD_LOG_FOLLOWERS: "2",
      ISOPOD_STATS_INTERVAL_MS: "0",
    });
    assert.deepEqual(config.retention, {
      intervalMs: 1000,
      logs: { maxRows: 5, maxBytes: 6, maxAgeMs: 0 },
      samples: { maxRows: 7, maxAgeMs: 2 * DAY },
      audit: { maxRows: 8, maxAgeMs: 3 * DAY },
    });
    assert.deepEqual(config.logs, { bytesPerPackage: 4096, rateLines: 0, rateBytes: 10, maxFollowers: 2 });
    assert.equal(config.statsIntervalMs, 0);
  });

  test("refuses a count bound of 0 and values that are not whole numbers", () => {
    assert.throws(() => configFromEnv({ ISOPOD_LOG_MAX_ROWS: "0" }), /ISOPOD_LOG_MAX_ROWS="0" must be at least 1/);
    assert.throws(() => configFromEnv({ ISOPOD_AUDIT_MAX_ROWS: "0" }), /must be at least 1/);
    assert.throws(() => configFromEnv({ ISOPOD_STATS_MAX_AGE_DAYS: "1.5" }), /ISOPOD_STATS_MAX_AGE_DAYS="1.5" is not a whole number/);
    assert.throws(() => configFromEnv({ ISOPOD_LOG_MAX_BYTES: "-1" }), /is not a whole number/);
  });

  test("an age of 0 keeps rows of any age", async (t) => {
    const h = await useHost(t, { retention: retention({ audit: { maxAgeMs: 0 } }) });
    h.host.store.operations.record(operation(1, 1));
    await h.host.retention.run();
    assert.equal(h.host.store.operations.count(), 1);
  });
});
