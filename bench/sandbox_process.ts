// Benchmarks of the sandbox process: what the extra hop costs on /pkg (the
// inline sandbox against the process sandbox, in the same run), one call's
// round trip, and how long 20 packages take to run again after a SIGKILL.

import type { Result as LoadResult } from "autocannon";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { listen } from "../api/index.ts";
import { configFromEnv, type HostConfig } from "../runtime/config.ts";
import { Host } from "../runtime/host.ts";
import { emptyPermissionSet, LocalSandbox, ProcessSandbox, type IsolateSpec, type Sandbox, type SandboxRequest } from "../sandbox/index.ts";
import { writePackage } from "../tests/helpers/package_fixture.ts";
import { ms, percentile, report } from "./_measure.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const HELLO = path.join(ROOT, "packages/hello");
const LOAD_SECONDS = 5;
/** Each mode is measured this many times, alternately, so drift on a shared machine hits both. */
const LOAD_ROUNDS = 3;
const ROUND_TRIPS = 2_000;
const RECOVERY_PACKAGES = 20;
const RECOVERY_ROUNDS = 5;

type Mode = HostConfig["sandbox"]["mode"];

const ECHO = `export default { async fetch(request) { return new Response(await request.arrayBuffer()); } };\n`;

async function withHost<T>(mode: Mode, fn: (host: Host, dir: string) => Promise<T>, env: Record<string, string> = {}): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "isopod-bench-"));
  const config = configFromEnv({ ISOPOD_ADMIN_TOKEN: "bench", ISOPOD_SANDBOX: mode, ...env });
  const host = await Host.open({ ...config, dataDir: path.join(dir, "data"), port: 0 });
  try {
    await host.boot();
    return await fn(host, dir);
  } finally {
    await host.close();
    await rm(dir, { recursive: true, force: true });
  }
}

interface Load {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU time the host spent per request, its sandbox process included, in µs. */
  cpuUs: number;
}

const AUTOCANNON = path.join(ROOT, "node_modules/autocannon/autocannon.js");

/** autocannon in a process of its own, so that its CPU time is not counted as the host's. */
function autocannon(url: string, seconds: number, options: { method?: string; bodyFile?: string }): Promise<LoadResult> {
  const args = [AUTOCANNON, "-j", "-c", "10", "-d", String(seconds)];
  if (options.method) args.push("-m", options.method);
  if (options.bodyFile) args.push("-i", options.bodyFile);
  const child = spawn(process.execPath, [...args, url], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").at(-1)!) as LoadResult) : reject(new Error(`autocannon exited with ${code}`))));
  });
}

/** CPU time of this process and of `pids` (the sandbox process), in µs; Linux's /proc for the others. */
async function cpuUs(pids: number[]): Promise<number> {
  const own = process.cpuUsage();
  let total = own.user + own.system;
  for (const pid of pids) {
    const fields = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1]!.split(" ");
    total += ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / CLOCK_TICKS;
  }
  return total;
}
const CLOCK_TICKS = 100;

async function load(host: Host, url: string, options: { method?: string; bodyFile?: string } = {}): Promise<Load> {
  await autocannon(url, 1, options);
  const pids = host.sandbox instanceof ProcessSandbox && host.sandbox.pid !== undefined ? [host.sandbox.pid] : [];
  const before = await cpuUs(pids);
  const result = await autocannon(url, LOAD_SECONDS, options);
  const spent = (await cpuUs(pids)) - before;
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
    cpuUs: spent / Math.max(1, result.requests.total),
  };
}

async function pkgLoad(mode: Mode): Promise<{ hello: Load; echo: Load }> {
  return withHost(mode, async (host, dir) => {
    await host.packages.add({ path: HELLO, start: true }, { name: "bench" });
    const echo = await writePackage(dir, "echo", { manifest: {}, files: { "mod.ts": ECHO } });
    await host.packages.add({ path: echo, start: true }, { name: "bench" });
    const bodyFile = path.join(dir, "body");
    await writeFile(bodyFile, Buffer.alloc(64 * 1024, 97));
    const server = await listen(host, { hostname: "127.0.0.1", port: 0 });
    try {
      return {
        hello: await load(host, `${server.url}/pkg/@isopod/hello/?name=bench`),
        echo: await load(host, `${server.url}/pkg/echo/`, { method: "POST", bodyFile }),
      };
    } finally {
      await server.close();
    }
  });
}

function median(values: number[]): number {
  return percentile(values, 50);
}

async function throughput(): Promise<void> {
  const rounds: Record<Mode, { hello: Load; echo: Load }[]> = { inline: [], process: [] };
  for (let round = 0; round < LOAD_ROUNDS; round++) {
    for (const mode of ["inline", "process"] as const) rounds[mode].push(await pkgLoad(mode));
  }
  const row = (mode: Mode, which: "hello" | "echo"): [string, string] => {
    const all = rounds[mode].map((r) => r[which]);
    const errors = all.reduce((sum, l) => sum + l.errors, 0);
    return [
      `${which === "hello" ? "GET /pkg/@isopod/hello/" : "POST /pkg/echo/ (64 KiB both ways)"}, ${mode}`,
      `${median(all.map((l) => l.rps)).toFixed(0).padStart(6)} req/s   p50 ${median(all.map((l) => l.p50))} ms   p99 ${median(all.map((l) => l.p99))} ms   ` +
        `host CPU ${median(all.map((l) => l.cpuUs)).toFixed(0)} µs/request${errors ? `   (${errors} errors)` : ""}`,
    ];
  };
  report(`/pkg under load: autocannon (own process), 10 connections, ${LOAD_SECONDS} s after 1 s warm-up; median of ${LOAD_ROUNDS} alternating rounds`, [
    row("inline", "hello"),
    row("process", "hello"),
    row("inline", "echo"),
    row("process", "echo"),
  ]);
  for (const which of ["hello", "echo"] as const) {
    const ratio = median(rounds.process.map((r) => r[which].rps)) / median(rounds.inline.map((r) => r[which].rps));
    const cpu = median(rounds.process.map((r) => r[which].cpuUs)) - median(rounds.inline.map((r) => r[which].cpuUs));
    console.log(`  ${which}: the process sandbox serves ${(ratio * 100).toFixed(0)}% of the inline throughput; the hop costs ${cpu.toFixed(0)} µs of CPU per request`);
  }
}

const spec = (instanceId: string, code: string): IsolateSpec => ({
  instanceId,
  packageName: "bench",
  version: "1.0.0",
  code,
  memoryMb: 64,
  timeoutMs: 5_000,
  cpuMs: 5_000,
  config: {},
  env: {},
  permissions: emptyPermissionSet(),
  root: HELLO,
  dataDir: os.tmpdir(),
});

const request = (): SandboxRequest => ({
  head: { method: "GET", url: "http://bench/", headers: [], remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 } },
  body: null,
});

/** One request at a time straight through the Sandbox interface: the hop's latency without HTTP. */
async function roundTrip(sandbox: Sandbox): Promise<number[]> {
  await sandbox.load(spec("rt", `export default { fetch() { return new Response("ok"); } };`));
  for (let i = 0; i < 200; i++) await sandbox.request("rt", request());
  const times: number[] = [];
  for (let i = 0; i < ROUND_TRIPS; i++) {
    const started = performance.now();
    await sandbox.request("rt", request());
    times.push(performance.now() - started);
  }
  await sandbox.close();
  return times;
}

async function roundTrips(): Promise<void> {
  const cacheDir = await mkdtemp(path.join(os.tmpdir(), "isopod-bench-cache-"));
  const inline = await roundTrip(new LocalSandbox());
  const process_ = await roundTrip(new ProcessSandbox({ cacheDir }));
  await rm(cacheDir, { recursive: true, force: true });
  const row = (label: string, times: number[]): [string, string] => [label, `p50 ${ms(percentile(times, 50))}   p99 ${ms(percentile(times, 99))}`];
  report(`one request through Sandbox.request, one at a time (${ROUND_TRIPS} after 200 warm-up)`, [
    row("LocalSandbox (inline)", inline),
    row("ProcessSandbox", process_),
  ]);
}

async function recovery(): Promise<void> {
  const times: number[] = [];
  const firstAnswer: number[] = [];
  await withHost("process", async (host, dir) => {
    for (let i = 0; i < RECOVERY_PACKAGES; i++) {
      const root = await writePackage(dir, `p${i}`, { manifest: {}, files: { "mod.ts": `export default { fetch() { return new Response("p${i}"); } };\n` } });
      await host.packages.add({ path: root, start: true }, { name: "bench" });
    }
    host.log = () => {};
    const sandbox = host.sandbox as ProcessSandbox;
    for (let round = 0; round < RECOVERY_ROUNDS; round++) {
      const pid = sandbox.pid!;
      const killed = performance.now();
      process.kill(pid, "SIGKILL");
      let answered: number | undefined;
      let down = false;
      const deadline = Date.now() + 60_000;
      while (!down || host.packages.runningCount < RECOVERY_PACKAGES) {
        if (Date.now() > deadline) throw new Error(`only ${host.packages.runningCount} packages running 60 s after the kill`);
        down ||= host.packages.runningCount === 0;
        if (down && answered === undefined && host.packages.runningCount > 0) answered = performance.now() - killed;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      times.push(performance.now() - killed);
      firstAnswer.push(answered ?? performance.now() - killed);
    }
    // A crash window of 1 ms: every round is a first crash, restarted after the first backoff delay.
  }, { ISOPOD_SANDBOX_CRASH_WINDOW_MS: "1", ISOPOD_SANDBOX_MAX_CRASHES: "1000" });
  report(`SIGKILL of the sandbox process to every package running again (${RECOVERY_PACKAGES} packages, ${RECOVERY_ROUNDS} rounds)`, [
    ["first package running again, median", ms(median(firstAnswer))],
    ["all running again, median", ms(median(times))],
    ["all running again, each round", times.map((t) => t.toFixed(0)).join(", ") + " ms"],
    ["of which the backoff before the restart", "100 ms (the first delay; it doubles per crash within the window)"],
  ]);
}

export async function run(): Promise<void> {
  console.log(`sandbox process benchmarks (node ${process.version}, ${os.cpus().length} cores)`);
  await roundTrips();
  await throughput();
  await recovery();
}
