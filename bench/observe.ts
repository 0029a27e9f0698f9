// Benchmark of the observability half: a 100 MiB console flood (host latency
// and memory), log intake, retention of a large backlog, and the cost of
// /v1/stats, /metrics and one sample with many packages running.

import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { listen, type RunningServer } from "../api/index.ts";
import { configFromEnv, type HostConfig } from "../runtime/config.ts";
import { Host } from "../runtime/host.ts";

const TOKEN = "bench-token";
const PACKAGES = 50;

interface Bench {
  host: Host;
  server: RunningServer;
  dir: string;
  call(method: string, route: string, body?: unknown): Promise<Response>;
}

async function open(overrides: Partial<HostConfig> = {}): Promise<Bench> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "isopod-bench-observe-"));
  const host = await Host.open({ ...configFromEnv({ ISOPOD_ADMIN_TOKEN: TOKEN }), dataDir: path.join(dir, "data"), ...overrides });
  await host.boot();
  const server = await listen(host, { hostname: "127.0.0.1", port: 0 });
  const call = (method: string, route: string, body?: unknown) =>
    fetch(`${server.url}${route}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  return { host, server, dir, call };
}

async function close(bench: Bench): Promise<void> {
  await bench.server.close();
  await bench.host.close();
  await rm(bench.dir, { recursive: true, force: true });
}

async function addPackage(bench: Bench, name: string, mod: string, limits = {}): Promise<void> {
  const root = path.join(bench.dir, "src", name);
  await mkdir(root, { recursive: true });
  await writeFile(path.join(root, "deno.json"), JSON.stringify({ name, version: "1.0.0", exports: "./mod.ts", isopod: { limits } }));
  await writeFile(path.join(root, "mod.ts"), mod);
  const response = await bench.call("POST", "/v1/packages", { path: root, start: true });
  if (response.status !== 200) throw new Error(`adding ${name}: ${response.status} ${await response.text()}`);
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
const ms = (value: number) => `${value.toFixed(1)} ms`;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

async function flood(): Promise<void> {
  const bench = await open();
  const rssBefore = process.memoryUsage().rss;
  await addPackage(
    bench,
    "noisy",
    `export default { start() { setTimeout(() => {
       const line = "z".repeat(1023);
       for (let i = 0; i < 102400; i++) console.log(line);
       setTimeout(() => console.log("flood over"), 1500);
     }, 100); } };`,
    { timeoutMs: 60_000, cpuMs: 60_000 },
  );
  const started = performance.now();
  const latencies: number[] = [];
  let rssPeak = rssBefore;
  while (!bench.host.logs.tail("noisy", 3).some((entry) => entry.message === "flood over")) {
    const t0 = performance.now();
    await (await bench.call("GET", "/healthz")).arrayBuffer();
    latencies.push(performance.now() - t0);
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (performance.now() - started > 120_000) throw new Error("flood did not end in 120 s");
  }
  const seconds = (performance.now() - started - 1500) / 1000;
  const kept = bench.host.store.logs.size("noisy");
  const dropped = bench.host.logs.dropped("noisy");
  console.log(`console flood, 100 MiB in 1 KiB lines from one package:`);
  console.log(`  took ${seconds.toFixed(1)} s (the package is held back by the host's pace: console.log is a sync call)`);
  console.log(`  /healthz during the flood: p50 ${ms(percentile(latencies, 50))}, p99 ${ms(percentile(latencies, 99))}, max ${ms(Math.max(...latencies))} (${latencies.length} requests)`);
  console.log(`  host RSS ${mib(rssBefore)} before, ${mib(rssPeak)} at the peak`);
  console.log(`  kept ${kept.lines} lines / ${kept.bytes} bytes, dropped ${dropped.lines} lines over the rate limit`);
  await close(bench);
}

async function intake(): Promise<void> {
  const bench = await open({ logs: { ...configFromEnv({}).logs, rateLines: 0, rateBytes: 0 } });
  const lines = 200_000;
  const message = "m".repeat(100);
  const started = performance.now();
  for (let i = 0; i < lines; i++) {
    bench.host.logs.append(`pkg-${i % 10}`, "info", message);
    if (i % 5_000 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  bench.host.logs.flush();
  const seconds = (performance.now() - started) / 1000;
  console.log(`log intake, no rate limit, 10 packages, 100-byte lines, batched writes: ${Math.round(lines / seconds).toLocaleString("en")} lines/s`);
  await close(bench);
}

async function retention(): Promise<void> {
  const defaults = configFromEnv({}).retention;
  const bench = await open({ logLinesPerPackage: 10_000_000, retention: { ...defaults, logs: { ...defaults.logs, maxRows: 1_000 } } });
  const rows = 500_000;
  const now = Date.now();
  for (let done = 0; done < rows; done += 10_000) {
    bench.host.store.logs.appendMany(
      Array.from({ length: 10_000 }, (_, i) => ({ package: "svc", level: "info" as const, message: `line ${done + i}`, ts: now })),
    );
  }
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const run = await bench.host.retention.run();
  delay.disable();
  console.log(
    `retention, ${rows.toLocaleString("en")} log rows down to 1,000: ${run.durationMs} ms ` +
      `(${Math.round(run.deleted.logs / (run.durationMs / 1000)).toLocaleString("en")} rows/s), ` +
      `longest event-loop stall ${ms(delay.max / 1e6)}`,
  );
  await close(bench);
}

async function statsCost(): Promise<void> {
  const bench = await open();
  for (let i = 0; i < PACKAGES; i++) {
    await addPackage(bench, `svc-${i}`, `const kept = []; export default { start() { kept.push("x".repeat(10000)); setInterval(() => {}, 1000); } };`);
  }
  const time = async (fn: () => Promise<unknown>, rounds = 50) => {
    const times: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const t0 = performance.now();
      await fn();
      times.push(performance.now() - t0);
    }
    return `p50 ${ms(percentile(times, 50))}, p99 ${ms(percentile(times, 99))}`;
  };
  console.log(`with ${PACKAGES} running packages:`);
  console.log(`  GET /v1/stats    ${await time(async () => (await bench.call("GET", "/v1/stats")).arrayBuffer())}`);
  console.log(`  GET /v1/isolates ${await time(async () => (await bench.call("GET", "/v1/isolates")).arrayBuffer())}`);
  console.log(`  GET /metrics     ${await time(async () => (await bench.call("GET", "/metrics")).arrayBuffer())}`);
  console.log(`  one sample (${PACKAGES} rows to SQLite) ${await time(() => bench.host.sampler.sample())}`);
  await close(bench);
}

export async function run(): Promise<void> {
  await flood();
  await intake();
  await retention();
  await statsCost();
}
