// Benchmarks of the sandbox: what an isolate's start-up costs with each way
// of loading the runtime (code cache made before or after a run, snapshot),
// the cold start of `hello`, and /pkg/hello/ under load (admin port and data
// plane) against the same handler on Hono and under `deno serve`, with the CPU each spends per request.

import { serve } from "@hono/node-server";
import { Hono } from "hono";
import ivm from "isolated-vm";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import { spawn } from "node:child_process";
import { listen } from "../api/index.ts";
import { configFromEnv } from "../runtime/config.ts";
import { Host } from "../runtime/host.ts";
import { Bundler } from "../runtime/packages/bundler.ts";
import { emptyPermissionSet, LocalSandbox, type IsolateSpec } from "../sandbox/index.ts";
import { partSource, runtimeSource, stubBridge } from "../sandbox/host/runtime_source.ts";
import { load, loadLine, type LoadResult } from "./_load.ts";
import { writeBodiesPackage } from "./_bodies_package.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const HELLO = path.join(ROOT, "packages/hello");
const ROUNDS = 40;
const LOAD_SECONDS = 5;
const ECHO_BODY = Buffer.alloc(64 * 1024, 121);

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

function report(label: string, samples: number[]): void {
  console.log(`  ${label.padEnd(44)} p50 ${percentile(samples, 0.5).toFixed(2).padStart(7)} ms   p95 ${percentile(samples, 0.95).toFixed(2).padStart(7)} ms`);
}

async function timed(rounds: number, once: () => Promise<void>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    await once();
    samples.push(performance.now() - started);
  }
  return samples;
}

/** A stub bridge as in-isolate functions, and the bootstrap's second phase called with it: the runtime measured without a host. */
const STUB_BOOT = `globalThis.__isopodBoot(${stubBridge({ loadPart: "(name) => globalThis.__benchLoadPart(name)", rootUrl: "file:///bench/" })}); delete globalThis.__isopodBoot;`;

/** V8's code cache of `source`, made right after compiling it or after running it (and its boot) once in a throwaway isolate. */
async function codeCache(source: string, afterRun: boolean): Promise<ivm.ExternalCopy<ArrayBuffer>> {
  const isolate = new ivm.Isolate({ memoryLimit: 32 });
  const options = { filename: "isopod:runtime.js" };
  if (afterRun) {
    const context = await isolate.createContext();
    await (await isolate.compileScript(source, options)).run(context);
    await context.eval(STUB_BOOT);
  }
  const produced = (await isolate.compileScript(source, { ...options, produceCachedData: true })) as ivm.Script & ivm.CachedDataResult;
  isolate.dispose();
  return produced.cachedData!;
}

/** An isolate with the runtime run and booted in it, its script compiled with `cachedData` if given. */
async function runtimeIsolate(source: string, cachedData?: ivm.ExternalCopy<ArrayBuffer>): Promise<{ isolate: ivm.Isolate; context: ivm.Context }> {
  const isolate = new ivm.Isolate({ memoryLimit: 32 });
  const context = await isolate.createContext();
  await (await isolate.compileScript(source, { filename: "isopod:runtime.js", ...(cachedData ? { cachedData } : {}) })).run(context);
  await context.eval(STUB_BOOT);
  return { isolate, context };
}

export async function startupOptions(): Promise<void> {
  const source = runtimeSource();
  console.log(`\nruntime start-up options (${(source.length / 1024).toFixed(0)} KiB script, run and booted, ${ROUNDS} rounds):`);
  report("bare isolate + context", await timed(ROUNDS, async () => {
    const isolate = new ivm.Isolate({ memoryLimit: 32 });
    await isolate.createContext();
    isolate.dispose();
  }));
  report("runtime compiled each time", await timed(ROUNDS, async () => (await runtimeIsolate(source)).isolate.dispose()));
  const beforeRun = await codeCache(source, false);
  report("code cache made after compiling", await timed(ROUNDS, async () => (await runtimeIsolate(source, beforeRun)).isolate.dispose()));
  const afterRun = await codeCache(source, true);
  report("code cache made after a run (chosen)", await timed(ROUNDS, async () => (await runtimeIsolate(source, afterRun)).isolate.dispose()));
  // The snapshot holds the first phase only: the second binds host callbacks, which no snapshot can hold.
  const snapshot = ivm.Isolate.createSnapshot([{ code: source }]);
  report("first phase from an isolate snapshot", await timed(ROUNDS, async () => {
    const isolate = new ivm.Isolate({ memoryLimit: 32, snapshot });
    await (await isolate.createContext()).eval(STUB_BOOT);
    isolate.dispose();
  }));
  const urlLoad: number[] = [];
  let urlCache: ivm.ExternalCopy<ArrayBuffer> | undefined;
  for (let i = 0; i < ROUNDS; i++) {
    const { isolate, context } = await runtimeIsolate(source, afterRun);
    // As the host does (package_isolate.ts): the URL part from its own code cache, run from the isolate's call.
    const loadPart = () => {
      const part = isolate.compileScriptSync(partSource("url"), urlCache ? { cachedData: urlCache } : { produceCachedData: true });
      urlCache ??= (part as ivm.Script & ivm.CachedDataResult).cachedData;
      part.runSync(context);
      return true;
    };
    await context.global.set("__benchLoadPart", new ivm.Callback(loadPart, { sync: true }));
    const started = performance.now();
    await context.eval(`new URL("http://example.com/").href`);
    urlLoad.push(performance.now() - started);
    isolate.dispose();
  }
  report("first `new URL()` (whatwg-url: the URL part run on demand)", urlLoad);
}

export async function coldStart(): Promise<void> {
  const code = await new Bundler(path.join(os.tmpdir(), "isopod-bench-bundles")).bundle(HELLO, "./mod.ts", "@isopod/hello");
  // Pool of one prepared isolate of the specs' limit (sandbox/host/warm_isolates.ts); drained before the "pool empty" line.
  const sandbox = new LocalSandbox({ warmIsolates: { memoryMb: 32 } });
  const warm = sandbox.warm!;
  let n = 0;
  const spec = (): IsolateSpec => ({
    instanceId: `bench#${++n}`,
    packageName: "@isopod/hello",
    version: "1.0.0",
    code,
    memoryMb: 32,
    timeoutMs: 2_000,
    cpuMs: 2_000,
    config: {},
    env: {},
    permissions: emptyPermissionSet(),
    root: HELLO,
    dataDir: path.join(os.tmpdir(), "isopod-bench-data"),
  });
  console.log(`\ncold start of hello (${ROUNDS} rounds, after one warm-up that fills the code cache):`);
  const first = spec();
  await sandbox.load(first);
  await sandbox.dispose(first.instanceId);
  report("bare isolated-vm isolate + context", await timed(ROUNDS, async () => {
    const isolate = new ivm.Isolate({ memoryLimit: 32 });
    await isolate.createContext();
    isolate.dispose();
  }));
  const start = async (): Promise<void> => {
    const each = spec();
    await sandbox.load(each);
    await sandbox.hook(each.instanceId, "start");
    await sandbox.dispose(each.instanceId);
  };
  // Each round starts with one spare ready: the pool's refill is awaited outside the timed part.
  const pooled: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    await warm.refill();
    pooled.push(...(await timed(1, start)));
  }
  report("hello: from the warm pool (refilled between rounds)", pooled);
  // The pool's own refill, 20 ms after a take: 40 ms between starts leaves it time.
  const ownRefill: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    await new Promise((resolve) => setTimeout(resolve, 40));
    ownRefill.push(...(await timed(1, start)));
  }
  report("hello: warm pool, its own refill (40 ms between starts)", ownRefill);
  // The same sandbox with the pool closed: every start makes its isolate and runs the runtime.
  await warm.close();
  report("hello: pool empty (every start pays isolate and runtime)", await timed(ROUNDS, start));
  await sandbox.close();
}

async function denoServe(): Promise<{ url: string; stop: () => void }> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = spawn(path.join(ROOT, "node_modules/.bin/deno"), ["serve", "-P", "--host", "127.0.0.1", "--port", String(port), "mod.ts"], {
    cwd: HELLO,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("deno serve did not start")), 30_000);
    const check = (chunk: Buffer) => chunk.toString().includes("Listening on") && (clearTimeout(timer), resolve());
    child.stdout!.on("data", check);
    child.stderr!.on("data", check);
  });
  return { url: `http://127.0.0.1:${port}/?name=bench`, stop: () => child.kill("SIGKILL") };
}

/** Pids of the host's sandbox processes (none inline). */
function sandboxPids(host: Host): number[] {
  const pid = (host.sandbox as { pid?: number }).pid;
  return pid === undefined ? [] : [pid];
}

/** A Hono app on Node serving `fetch`, as the baseline. */
async function honoServer(fetch: (request: Request) => Response | Promise<Response>): Promise<{ url: string; close: () => void }> {
  const app = new Hono();
  app.all("/*", (c) => fetch(c.req.raw));
  return new Promise((resolve) => {
    const running = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info: AddressInfo) =>
      resolve({ url: `http://127.0.0.1:${info.port}`, close: () => running.close() }),
    );
  });
}

/** The three loads, in order: hello, a 64 KiB echo, a streamed 1 MiB answer. */
async function loads(hello: string, bodies: string, pids: () => number[] = () => []): Promise<LoadResult[]> {
  return [
    await load(`${hello}/?name=bench`, { seconds: LOAD_SECONDS, pids }),
    await load(`${bodies}/echo`, { seconds: LOAD_SECONDS, pids, method: "POST", body: ECHO_BODY }),
    await load(`${bodies}/stream`, { seconds: LOAD_SECONDS, pids }),
  ];
}

const LOAD_LABELS = ["hello", "64 KiB echo", "streamed 1 MiB"];

async function throughput(): Promise<void> {
  console.log(`\n/pkg under load (autocannon in its own process, 10 connections, ${LOAD_SECONDS} s after 1 s of warm-up; CPU of the serving processes from /proc):`);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "isopod-bench-"));
  const bodiesRoot = await writeBodiesPackage(dataDir);
  const hello = (await import("../packages/hello/mod.ts")).default as { fetch(request: Request): Response };
  const bodies = (await import(path.join(bodiesRoot, "mod.ts"))) as { default: { fetch(request: Request): Promise<Response> } };
  const helloHono = await honoServer((request) => hello.fetch(request));
  const bodiesHono = await honoServer((request) => bodies.default.fetch(request));
  const hono = await loads(helloHono.url, bodiesHono.url);
  helloHono.close();
  bodiesHono.close();
  hono.forEach((result, i) => console.log(loadLine(`Hono on Node: ${LOAD_LABELS[i]}`, result)));

  const host = await Host.open({ ...configFromEnv({ ISOPOD_ADMIN_TOKEN: "bench", ISOPOD_PKG_PORT: "0" }), dataDir: path.join(dataDir, "host"), port: 0 });
  await host.boot();
  await host.packages.add({ path: HELLO, start: true }, { name: "bench" });
  await host.packages.add({ path: bodiesRoot, start: true }, { name: "bench" });
  const server = await listen(host, { hostname: "127.0.0.1", port: 0 });
  const pids = () => sandboxPids(host);
  const admin = await load(`${server.url}/pkg/@isopod/hello/?name=bench`, { seconds: LOAD_SECONDS, pids });
  console.log(loadLine("isopod /pkg on the admin port: hello", admin, hono[0]));
  const data = await loads(`${host.pkgUrl}/pkg/@isopod/hello`, `${host.pkgUrl}/pkg/@bench/bodies`, pids);
  data.forEach((result, i) => console.log(loadLine(`isopod data plane: ${LOAD_LABELS[i]}`, result, hono[i])));
  // autocannon reports whole milliseconds: a p99 under 1 ms reads 0, so the ratio is taken on at least 1 ms each side.
  console.log(`  p99 (hello): data plane ${data[0]!.p99} ms, Hono ${hono[0]!.p99} ms: ${(Math.max(1, data[0]!.p99) / Math.max(1, hono[0]!.p99)).toFixed(1)}x`);
  await server.close();
  await host.close();
  await rm(dataDir, { recursive: true, force: true });

  const deno = await denoServe();
  try {
    console.log(loadLine("deno serve packages/hello/mod.ts", await load(deno.url, { seconds: LOAD_SECONDS })));
  } finally {
    deno.stop();
  }
}

export async function run(): Promise<void> {
  console.log(`sandbox benchmarks (node ${process.version}, ${os.cpus().length} cores)`);
  await startupOptions();
  await coldStart();
  await throughput();
}
