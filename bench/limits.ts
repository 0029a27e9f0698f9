// Benchmark of limits and restarts: how long a runaway loop runs before its
// isolate is ended (wall-time and cpu-time limits), and how long a package
// that keeps crashing takes to reach the crash loop under the default policy.

import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { CpuWatchdog } from "../sandbox/host/cpu_watchdog.ts";
import { VmIsolate } from "../sandbox/host/ivm.ts";
import { ms, percentile, report } from "./_measure.ts";
import { openBenchHost, type BenchHost } from "./_bench_host.ts";

const ROUNDS = 5;

async function addPackage(bench: BenchHost, name: string, mod: string, isopod: Record<string, unknown>): Promise<void> {
  const root = path.join(bench.dir, "src", name);
  await mkdir(root, { recursive: true });
  await writeFile(path.join(root, "deno.json"), JSON.stringify({ name, version: "1.0.0", exports: "./mod.ts", isopod }));
  await writeFile(path.join(root, "mod.ts"), mod);
  const added = await bench.call("POST", "/v1/packages", { path: root, start: true });
  if (added.status !== 200) throw new Error(`adding ${name}: ${added.status} ${JSON.stringify(added.body)}`);
}

/** Resolves with the time of the next exit event of `name`'s isolate. */
function nextExit(bench: BenchHost, name: string): Promise<{ at: number; reason: string }> {
  return new Promise((resolve) => {
    let done = false;
    bench.host.sandbox.onEvent((event) => {
      if (done || event.type !== "exit" || event.packageName !== name) return;
      done = true;
      resolve({ at: Date.now(), reason: event.reason });
    });
  });
}

/**
 * A timer callback logs, then loops: the time from that log line (stamped
 * in the sandbox when the isolate wrote it) to the isolate's exit.
 */
async function runawayToExit(limits: Record<string, number>, expected: string): Promise<number[]> {
  const bench = await openBenchHost();
  const times: number[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const name = `runaway-${round}`;
      const loopStarts = new Promise<number>((resolve) =>
        bench.host.sandbox.onEvent((event) => {
          if (event.type === "log" && event.packageName === name && event.message === "loop") resolve(event.ts);
        }),
      );
      const exited = nextExit(bench, name);
      const mod = `export default { start() { setTimeout(() => { console.log("loop"); for (;;) {} }, 50); } };`;
      await addPackage(bench, name, mod, { limits, restart: { maxRestarts: 0 } });
      const [began, exit] = await Promise.all([loopStarts, exited]);
      if (exit.reason !== expected) throw new Error(`expected ${expected}, the isolate ended with ${exit.reason}`);
      times.push(exit.at - began);
    }
  } finally {
    await bench.close();
  }
  return times;
}

/** A package that throws 5 ms after each start, under the default restart policy: from its first start to `crash-loop`. */
async function timeToCrashLoop(): Promise<{ ms: number; restarts: number }> {
  const bench = await openBenchHost();
  try {
    const started = performance.now();
    await addPackage(bench, "crashy", `export default { start() { setTimeout(() => { throw new Error("boom"); }, 5); } };`, {});
    const deadline = Date.now() + 120_000;
    while (bench.host.store.packages.get("crashy")?.error?.code !== "crash-loop") {
      if (Date.now() > deadline) throw new Error("no crash loop within 120 s");
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return { ms: performance.now() - started, restarts: bench.host.stats.get("crashy").restarts };
  } finally {
    await bench.close();
  }
}

/** What the watchdog adds to each call into an isolate (two reads of its CPU clock and some bookkeeping), in µs. */
async function watchOverhead(): Promise<number> {
  const isolate = new VmIsolate(16, () => {});
  const watchdog = new CpuWatchdog({ readCpuMs: () => Number(isolate.cpuTime / 1000n) / 1000, budgetMs: 2_000, exceeded: () => {} });
  const calls = 200_000;
  let started = performance.now();
  for (let i = 0; i < calls; i++) await Promise.resolve(i);
  const bare = performance.now() - started;
  started = performance.now();
  for (let i = 0; i < calls; i++) await watchdog.watch("call", () => Promise.resolve(i));
  const watched = performance.now() - started;
  watchdog.stop();
  isolate.dispose();
  return ((watched - bare) / calls) * 1000;
}

function summary(times: number[], limitMs: number): string {
  return `median ${ms(percentile(times, 50))}, max ${ms(Math.max(...times))} (limit ${limitMs} ms; ${ROUNDS} rounds)`;
}

export async function run(): Promise<void> {
  const wall = await runawayToExit({ timeoutMs: 200, cpuMs: 60_000 }, "wall-time");
  const cpu = await runawayToExit({ timeoutMs: 60_000, cpuMs: 200 }, "cpu-time");
  const wallLong = await runawayToExit({ timeoutMs: 1_000, cpuMs: 60_000 }, "wall-time");
  const cpuLong = await runawayToExit({ timeoutMs: 60_000, cpuMs: 1_000 }, "cpu-time");
  report("runaway loop in a timer callback: loop start to isolate ended", [
    ["wall-time, timeoutMs 200", summary(wall, 200)],
    ["cpu-time, cpuMs 200", summary(cpu, 200)],
    ["wall-time, timeoutMs 1000", summary(wallLong, 1_000)],
    ["cpu-time, cpuMs 1000", summary(cpuLong, 1_000)],
  ]);
  const overhead = await watchOverhead();
  report("cost of the CPU watchdog", [["per call into an isolate", `${overhead.toFixed(2)} µs (200000 calls)`]]);
  const loop = await timeToCrashLoop();
  report("crash loop under the default policy (5 restarts in 60 s, backoff 500 ms doubling)", [
    ["first start to crash-loop", `${ms(loop.ms)} (${loop.restarts} restarts; the delays alone sum to 15500 ms)`],
  ]);
}
