// Issue 12's figures: add of a Hono app (npm dependency from a loopback registry)
// with an empty and a warm cache against hello, bundle sizes, cold start, peak RSS resolving 200 packages.

import { cp, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { FakeNpm } from "../tests/helpers/registries/fake_npm.ts";
import { openBenchHost, type BenchHost } from "./_bench_host.ts";
import { mib, ms, percentile, report } from "./_measure.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const HELLO = path.join(ROOT, "packages/hello");
const ROUNDS = 5;
const GRAPH = 200;

const HONO_APP = 'import { Hono } from "hono";\nconst app = new Hono();\napp.get("/", (c) => c.text("Hello Hono!"));\nexport default app;\n';

async function writeApp(dir: string, name: string, imports: Record<string, string>, module: string): Promise<string> {
  const root = path.join(dir, name.replace(/[@/]/g, "_"));
  await cp(HELLO, root, { recursive: true });
  await writeFile(path.join(root, "deno.json"), JSON.stringify({ name, version: "1.0.0", exports: "./mod.ts", imports, isopod: { limits: { memoryMb: 32 } } }));
  if (module !== "") await writeFile(path.join(root, "mod.ts"), module);
  return root;
}

async function timedAdd(bench: BenchHost, root: string): Promise<number> {
  const started = performance.now();
  const added = await bench.call("POST", "/v1/packages", { path: root, start: true });
  if (added.status !== 200) throw new Error(`add failed: ${JSON.stringify(added.body)}`);
  return performance.now() - started;
}

/** Stop + start, `rounds` times; the start is timed (the isolate is new each time, the bundle cached). */
async function coldStarts(bench: BenchHost, name: string, rounds: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    await bench.call("POST", `/v1/packages/${name}/stop`);
    const started = performance.now();
    const answer = await bench.call("POST", `/v1/packages/${name}/start`);
    if (answer.status !== 200) throw new Error(`start failed: ${JSON.stringify(answer.body)}`);
    times.push(performance.now() - started);
  }
  return times;
}

async function bundleSizes(dataDir: string): Promise<number[]> {
  const dir = path.join(dataDir, "cache", "bundles");
  return Promise.all((await readdir(dir)).map(async (file) => (await stat(path.join(dir, file))).size));
}

/** `count` packages: the root depends on ten, each of those on the next ones, to `count` in all. */
async function publishGraph(npm: FakeNpm, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const deps = Object.fromEntries([1, 2].map((step) => i * 2 + step).filter((j) => j < count).map((j) => [`g${j}`, "^1.0.0"]));
    const body = Object.keys(deps).map((dep) => `export * as ${dep} from "${dep}";`).join("\n");
    await npm.publish(`g${i}`, "1.0.0", { files: { "index.js": `${body}\nexport const id${i} = ${i};\n` }, manifest: { type: "module", dependencies: deps } });
  }
}

export async function run(): Promise<void> {
  const npm = new FakeNpm();
  await npm.listen();
  await npm.publish("hono", "4.13.19", { folder: path.join(ROOT, "node_modules/hono") });
  await publishGraph(npm, GRAPH);
  const dir = await mkdtemp(path.join(os.tmpdir(), "isopod-bench-npm-"));
  const env = { ISOPOD_NPM_REGISTRY: npm.url, HOME: "/nonexistent" };
  const cold: number[] = [];
  const warm: number[] = [];
  const hello: number[] = [];
  let sizes = { hono: 0, hello: 0 };
  let starts = { hono: [] as number[], hello: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    const bench = await openBenchHost(env);
    try {
      await timedAdd(bench, await writeApp(dir, `@bench/warmup-${round}`, {}, "")); // starts the sandbox process
      hello.push(await timedAdd(bench, await writeApp(dir, `@bench/hello-${round}`, {}, "")));
      const helloSize = Math.max(...(await bundleSizes(bench.dir)));
      cold.push(await timedAdd(bench, await writeApp(dir, `@bench/hono-${round}`, { hono: "npm:hono@^4" }, HONO_APP)));
      warm.push(await timedAdd(bench, await writeApp(dir, `@bench/hono-warm-${round}`, { hono: "npm:hono@^4" }, HONO_APP)));
      if (round === 0) {
        sizes = { hello: helloSize, hono: Math.max(...(await bundleSizes(bench.dir))) };
        starts = { hono: await coldStarts(bench, `@bench/hono-${round}`, 20), hello: await coldStarts(bench, `@bench/hello-${round}`, 20) };
      }
    } finally {
      await bench.close();
    }
  }
  const graphBench = await openBenchHost(env);
  let peak = 0;
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const imports = { g0: "npm:g0@^1" };
  const graphMs = await timedAdd(graphBench, await writeApp(dir, "@bench/graph", imports, 'import * as g from "g0";\nexport default { fetch: () => new Response(Object.keys(g).join()) };\n'));
  clearInterval(sampler);
  const resolved = (await graphBench.call("GET", "/v1/packages/@bench/graph")).body.resolved.length as number;
  await graphBench.close();
  await npm.close();
  await rm(dir, { recursive: true, force: true });
  const p50 = (values: number[]) => percentile(values, 50);
  report(`add + start of a Hono app (npm:hono from a loopback registry) vs hello, p50 of ${ROUNDS}`, [
    ["hello", ms(p50(hello))],
    ["Hono, empty cache", `${ms(p50(cold))} (${(p50(cold) / p50(hello)).toFixed(1)}x hello)`],
    ["Hono, warm cache", `${ms(p50(warm))} (${(p50(warm) / p50(hello)).toFixed(1)}x hello)`],
  ]);
  report("bundle size", [
    ["hello", `${(sizes.hello / 1024).toFixed(1)} KiB`],
    ["Hono app", `${(sizes.hono / 1024).toFixed(1)} KiB`],
  ]);
  report("cold start (stop, then start: new isolate, cached bundle), p50 / p95 of 20", [
    ["hello", `${ms(p50(starts.hello))} / ${ms(percentile(starts.hello, 95))}`],
    ["Hono app", `${ms(p50(starts.hono))} / ${ms(percentile(starts.hono, 95))} (${(p50(starts.hono) / p50(starts.hello)).toFixed(2)}x)`],
  ]);
  report(`resolving a ${GRAPH}-package graph (registry in the same process)`, [
    ["packages resolved", String(resolved)],
    ["add + start", ms(graphMs)],
    ["peak RSS / above the start", `${mib(peak)} / ${mib(Math.max(0, peak - before))}`],
  ]);
}
