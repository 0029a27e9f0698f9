// Issue 2's figures: add + start of packages/hello through the API against a
// bare isolated-vm isolate + context, and resident memory per running package.

import { rm } from "node:fs/promises";
import { VmIsolate } from "../sandbox/host/ivm.ts";
import { openBenchHost } from "./_bench_host.ts";
import { helloCopies, rssOf } from "./_hello_copies.ts";
import { mib, ms, percentile, report, timeEach } from "./_measure.ts";

/** A package that touches the lazily loaded web APIs (Blob, File, FormData) at module top level. */
const FORM_DATA_MODULE = `const form = new FormData(); form.append("f", new File(["x"], "x.txt"));
const body = new Response(form);
export default { fetch: () => body.clone() };
`;

async function bareIsolates(count: number): Promise<number[]> {
  return timeEach(count, async () => {
    const isolate = new VmIsolate(32, () => {});
    // A bare context: what an isolate costs before any runtime is loaded.
    await isolate.openContext();
    isolate.dispose();
  });
}

async function addAndStart(count: number, module?: string): Promise<number[]> {
  const bench = await openBenchHost();
  const { dir, roots } = await helloCopies(count, { module });
  try {
    return await timeEach(count, async (i) => {
      const added = await bench.call("POST", "/v1/packages", { path: roots[i], start: true });
      if (added.body.state !== "running") throw new Error(`add failed: ${JSON.stringify(added.body)}`);
    });
  } finally {
    await bench.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The host's RSS plus its sandbox process's, where isolates run by default. */
function totalRss(bench: Awaited<ReturnType<typeof openBenchHost>>): number {
  const sandboxPid = (bench.host.sandbox as { pid?: number }).pid;
  return process.memoryUsage().rss + rssOf(sandboxPid);
}

async function memoryPerPackage(count: number): Promise<{ before: number; after: number }> {
  const bench = await openBenchHost();
  const { dir, roots } = await helloCopies(count);
  try {
    // One package first, so the sandbox process exists in the "before" figure.
    const [first, ...rest] = roots;
    await bench.call("POST", "/v1/packages", { path: first, start: true });
    globalThis.gc?.();
    const before = totalRss(bench);
    for (const root of rest) await bench.call("POST", "/v1/packages", { path: root, start: true });
    globalThis.gc?.();
    const after = totalRss(bench);
    if (bench.host.packages.runningCount !== count) throw new Error(`only ${bench.host.packages.runningCount} running`);
    return { before, after };
  } finally {
    await bench.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const samples = 50;
  await bareIsolates(5);
  const bare = await bareIsolates(samples);
  const full = await addAndStart(samples);
  const bareP50 = percentile(bare, 50);
  const fullP50 = percentile(full, 50);
  report("add + start of hello through the API vs a bare isolate + context", [
    ["bare isolate + context p50 / p95", `${ms(bareP50)} / ${ms(percentile(bare, 95))}`],
    ["add + start (API) p50 / p95", `${ms(fullP50)} / ${ms(percentile(full, 95))}`],
    ["ratio (p50)", `${(fullP50 / bareP50).toFixed(1)}x`],
  ]);
  const forms = await addAndStart(samples, FORM_DATA_MODULE);
  report("add + start of a package that uses FormData at top level (loads Blob/File/FormData)", [
    ["add + start (API) p50 / p95", `${ms(percentile(forms, 50))} / ${ms(percentile(forms, 95))}`],
  ]);
  const running = 200;
  const { before, after } = await memoryPerPackage(running);
  report(`resident memory (host + sandbox process) with ${running} running packages`, [
    ["RSS with 1 running", mib(before)],
    [`RSS with ${running} running`, mib(after)],
    ["per running package", mib((after - before) / (running - 1))],
  ]);
}
