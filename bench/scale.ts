// 1,000 packages on one host: the cost of each add as the host fills (per
// quarter), resident memory per running package, and /healthz p99 meanwhile.

import { rm } from "node:fs/promises";
import { listen } from "../api/index.ts";
import { openBenchHost, type BenchHost } from "./_bench_host.ts";
import { helloCopies, rssOf } from "./_hello_copies.ts";
import { mib, ms, percentile, report } from "./_measure.ts";

const COUNT = Number(process.env.ISOPOD_BENCH_PACKAGES ?? 1_000);

/** Every sandbox process's pid, whatever the sandbox's shape. */
function sandboxPids(sandbox: unknown): number[] {
  const pids = (sandbox as { pids?: number[] }).pids;
  if (pids) return pids;
  const pid = (sandbox as { pid?: number }).pid;
  return pid === undefined ? [] : [pid];
}

/** Mean heap figures of the running isolates, as GET /v1/stats reports them. */
async function isolateHeaps(bench: BenchHost): Promise<{ used: number; total: number; external: number }> {
  const { isolates } = await bench.host.collector.collect();
  const mean = (pick: (isolate: (typeof isolates)[number]) => number) => isolates.reduce((sum, isolate) => sum + pick(isolate), 0) / Math.max(1, isolates.length);
  return { used: mean((isolate) => isolate.heapUsedBytes), total: mean((isolate) => isolate.heapTotalBytes), external: mean((isolate) => isolate.externalBytes) };
}

export async function run(): Promise<void> {
  const bench = await openBenchHost();
  const server = await listen(bench.host, { hostname: "127.0.0.1", port: 0 });
  const { dir, roots } = await helloCopies(COUNT, { prefix: "scale" });
  const health: number[] = [];
  let probing = true;
  const prober = (async () => {
    while (probing) {
      const started = performance.now();
      await fetch(`${server.url}/healthz`).then((response) => response.arrayBuffer());
      health.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  const sandboxRss = () => sandboxPids(bench.host.sandbox).reduce((sum, pid) => sum + rssOf(pid), 0);
  const split = () => ({ host: process.memoryUsage().rss, sandbox: sandboxRss() });
  try {
    const times: number[] = [];
    let before = { host: 0, sandbox: 0 };
    for (let i = 0; i < COUNT; i++) {
      const started = performance.now();
      const added = await bench.call("POST", "/v1/packages", { path: roots[i], start: true });
      if (added.body.state !== "running") throw new Error(`add failed: ${JSON.stringify(added.body)}`);
      times.push(performance.now() - started);
      if (i === 9) {
        globalThis.gc?.();
        before = split();
      }
    }
    globalThis.gc?.();
    const after = split();
    const heaps = await isolateHeaps(bench);
    const quarter = Math.floor(COUNT / 4);
    const rows: [string, string][] = [];
    for (let q = 0; q < 4; q++) {
      const slice = times.slice(q * quarter, (q + 1) * quarter);
      rows.push([`add + start p50, packages ${q * quarter + 1}-${(q + 1) * quarter}`, ms(percentile(slice, 50))]);
    }
    rows.push(["add + start, 10th / 1000th", `${ms(times[9]!)} / ${ms(times[COUNT - 1]!)}`]);
    rows.push(["all adds", `${(times.reduce((a, b) => a + b, 0) / 1000).toFixed(1)} s`]);
    const sum = (at: { host: number; sandbox: number }) => at.host + at.sandbox;
    const each = (bytes: number) => `${(bytes / (COUNT - 10) / 1024 / 1024).toFixed(2)} MiB`;
    rows.push([`RSS with 10 / ${COUNT} running`, `${mib(sum(before))} / ${mib(sum(after))}`]);
    rows.push(["per running package", each(sum(after) - sum(before))]);
    rows.push(["  of it host / sandbox process", `${each(after.host - before.host)} / ${each(after.sandbox - before.sandbox)}`]);
    rows.push(["isolate heap used / total / external, mean", `${mib(heaps.used)} / ${mib(heaps.total)} / ${mib(heaps.external)}`]);
    rows.push(["/healthz p50 / p99 meanwhile", `${ms(percentile(health, 50))} / ${ms(percentile(health, 99))}`]);
    const listed = performance.now();
    await bench.call("GET", "/v1/packages");
    rows.push([`GET /v1/packages with ${COUNT}`, ms(performance.now() - listed)]);
    report(`${COUNT} packages on one host`, rows);
  } finally {
    probing = false;
    await prober;
    await server.close();
    await bench.close();
    await rm(dir, { recursive: true, force: true });
  }
}
