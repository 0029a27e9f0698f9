// Benchmark: starting 500 packages in a random dependency graph (depth up to
// 10) against 500 independent ones in the same host, and ordering 10,000.

import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { configFromEnv } from "../runtime/config.ts";
import { DependencyGraph } from "../runtime/graph/dependency_graph.ts";
import { Host } from "../runtime/host.ts";

const PACKAGES = 500;
const LEVELS = 10;
const ORDER_PACKAGES = 10_000;
const ROUNDS = 3;
const actor = { name: "bench" };

/** A small seeded PRNG (mulberry32), so every run measures the same graph. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` packages on `levels` levels; each package above level 0 depends on
 * one package of the level below (so the depth is exactly its level) and on
 * up to two more from any lower level.
 */
export function randomGraph(prefix: string, count: number, levels: number, seed: number): Map<string, string[]> {
  const next = random(seed);
  const byLevel: string[][] = Array.from({ length: levels }, () => []);
  const graph = new Map<string, string[]>();
  for (let i = 0; i < count; i++) {
    const level = Math.floor((i * levels) / count);
    const name = `${prefix}${i}`;
    const deps = new Set<string>();
    if (level > 0) {
      const below = byLevel[level - 1]!;
      deps.add(below[Math.floor(next() * below.length)]!);
      for (let extra = Math.floor(next() * 3); extra > 0; extra--) {
        const pool = byLevel[Math.floor(next() * level)]!;
        deps.add(pool[Math.floor(next() * pool.length)]!);
      }
    }
    byLevel[level]!.push(name);
    graph.set(name, [...deps]);
  }
  return graph;
}

async function writePackages(dir: string, graph: Map<string, string[]>): Promise<string[]> {
  const roots: string[] = [];
  for (const [name, deps] of graph) {
    const root = path.join(dir, name);
    await mkdir(root, { recursive: true });
    const manifest = {
      name,
      version: "1.0.0",
      exports: "./mod.ts",
      isopod: { dependencies: Object.fromEntries(deps.map((d) => [d, "^1.0.0"])), limits: { memoryMb: 16 } },
    };
    await writeFile(path.join(root, "deno.json"), JSON.stringify(manifest));
    await writeFile(path.join(root, "mod.ts"), "export default { start() {}, stop() {} };\n");
    roots.push(root);
  }
  return roots;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await fn();
  return [result, performance.now() - started];
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function benchStarts(host: Host, graph: Map<string, string[]>, independent: Map<string, string[]>): Promise<void> {
  // Asking for the packages nothing depends on brings in all 500 through their dependencies.
  const dependents = new Set([...graph.values()].flat());
  const tops = [...graph.keys()].filter((name) => !dependents.has(name));
  const bases = [...graph].filter(([, deps]) => deps.length === 0).map(([name]) => name);
  console.log(
    `graph: ${graph.size} packages on ${LEVELS} levels, ${[...graph.values()].flat().length} edges; ` +
      `start asks for the ${tops.length} that nothing depends on, stop for the ${bases.length} that depend on nothing`,
  );
  // Warm up (JIT, SQLite pages, file cache) so that the first measured round is not the cold one.
  const warmUp = [...independent.keys()].slice(0, 50);
  await host.packages.start(warmUp, actor);
  await host.packages.stop(warmUp, actor);
  const graphTimes: number[] = [];
  const flatTimes: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const [report, graphMs] = await timed(() => host.packages.start(tops, actor));
    const started = report.results.filter((r) => r.ok).length;
    const [, graphStopMs] = await timed(() => host.packages.stop(bases, actor));
    const [flat, flatMs] = await timed(() => host.packages.start([...independent.keys()], actor));
    const flatStarted = flat.results.filter((r) => r.ok).length;
    const [, flatStopMs] = await timed(() => host.packages.stop([...independent.keys()], actor));
    if (started !== PACKAGES || flatStarted !== PACKAGES || host.packages.runningCount !== 0) throw new Error("not every package started and stopped");
    graphTimes.push(graphMs);
    flatTimes.push(flatMs);
    console.log(
      `round ${round}: start: graph ${ms(graphMs)} (${ms(graphMs / started)} per package), ` +
        `independent ${ms(flatMs)} (${ms(flatMs / flatStarted)} per package), ratio ${(graphMs / flatMs).toFixed(2)}; ` +
        `stop: graph ${ms(graphStopMs)}, independent ${ms(flatStopMs)}`,
    );
  }
  const [graphMedian, flatMedian] = [median(graphTimes), median(flatTimes)];
  console.log(
    `median of ${ROUNDS}: start of ${PACKAGES} in a dependency graph ${ms(graphMedian)} (${ms(graphMedian / PACKAGES)} per package), ` +
      `independent ${ms(flatMedian)} (${ms(flatMedian / PACKAGES)} per package), ratio ${(graphMedian / flatMedian).toFixed(2)}`,
  );
}

function benchOrder(): void {
  const graph = randomGraph("q", ORDER_PACKAGES, LEVELS, 7);
  const times: number[] = [];
  const builds: number[] = [];
  for (let i = 0; i < 7; i++) {
    let started = performance.now();
    const built = DependencyGraph.of(graph);
    builds.push(performance.now() - started);
    started = performance.now();
    const { order, cycles } = built.order();
    times.push(performance.now() - started);
    if (order.length !== ORDER_PACKAGES || cycles.size !== 0) throw new Error("bad order");
  }
  const chain = DependencyGraph.of(Array.from({ length: ORDER_PACKAGES }, (_, i) => [`c${i}`, i === 0 ? [] : [`c${i - 1}`]]));
  const chainStarted = performance.now();
  chain.order();
  const chainMs = performance.now() - chainStarted;
  console.log(
    `order of ${ORDER_PACKAGES} packages (random, depth ${LEVELS}, ${[...graph.values()].flat().length} edges): ` +
      `median ${ms(median(times))} to order, ${ms(median(builds))} to build the graph (7 runs); a ${ORDER_PACKAGES}-deep chain: ${ms(chainMs)}`,
  );
}

export async function run(): Promise<void> {
  console.log("# dependencies");
  benchOrder();
  const dir = await mkdtemp(path.join(os.tmpdir(), "isopod-bench-deps-"));
  const host = await Host.open({ ...configFromEnv({ ISOPOD_ADMIN_TOKEN: "bench" }), dataDir: path.join(dir, "data"), lockWaitMs: 600_000 });
  try {
    const graph = randomGraph("g", PACKAGES, LEVELS, 42);
    const independent = new Map([...Array(PACKAGES).keys()].map((i) => [`i${i}`, [] as string[]]));
    const roots = [...(await writePackages(path.join(dir, "src"), graph)), ...(await writePackages(path.join(dir, "src"), independent))];
    const [, addMs] = await timed(async () => {
      for (const root of roots) await host.packages.add({ path: root }, actor);
    });
    console.log(`added ${roots.length} packages in ${ms(addMs)} (${ms(addMs / roots.length)} each: validate, bundle, hash, install hook)`);
    await benchStarts(host, graph, independent);
  } finally {
    await host.close();
    await rm(dir, { recursive: true, force: true });
  }
}
