// The registry's cost: a call from package A to package B with a small
// argument, one at a time and many at once, against the raw isolated-vm hop
// (isolate -> host -> isolate and back, measured in this run) and against an
// HTTP request between two processes on loopback. B runs with a wall time that
// lets calls be served on the host's thread (<= 2 s), and with one that does not.

import { spawn } from "node:child_process";
import http from "node:http";
import os from "node:os";
import ivm from "isolated-vm";
import { emptyPermissionSet, LocalSandbox, type IsolateSpec, type SandboxResponse } from "../sandbox/index.ts";
import { percentile, report } from "./_measure.ts";

const ROUNDS = 5;
const CALLS = 10_000;
const CONCURRENT_CALLS = 10_000;
const IN_FLIGHT = 32;
const ARGUMENT = { id: 7, name: "small" };

interface Figures {
  /** Milliseconds per call, one at a time. */
  times: number[];
  /** Calls per second with IN_FLIGHT at once. */
  concurrentRate: number;
}

/** In-isolate code shared by the registry and raw runs: `call` is one hop; returns per-call times and a concurrent rate. */
const DRIVER = `
async function drive(call, calls, concurrentCalls, inFlight, argument) {
  for (let i = 0; i < 500; i++) await call(argument);
  const times = new Array(calls);
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await call(argument);
    times[i] = performance.now() - started;
  }
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, async () => { while (next++ < concurrentCalls) await call(argument); }));
  return { times, concurrentRate: concurrentCalls / ((performance.now() - started) / 1000) };
}`;

async function text(body: SandboxResponse["body"]): Promise<string> {
  if (body === null) return "";
  if (body instanceof Uint8Array) return new TextDecoder().decode(body);
  const parts: Uint8Array[] = [];
  for (let chunk = await body.read(); chunk !== null; chunk = await body.read()) parts.push(chunk);
  return new TextDecoder().decode(Buffer.concat(parts));
}

/** B's wall time (its CPU budget is longer): at most SYNC_MAX_TIMEOUT_MS, its calls may be served on the host's thread; past it, on its own. */
const PROVIDER_TIMEOUT_MS = { hostThread: 2_000, ownThread: 10_000 } as const;

async function registryRun(providerTimeoutMs: number): Promise<Figures> {
  const sandbox = new LocalSandbox();
  const spec = (name: string, code: string, dependencies: string[], timeoutMs = 120_000): IsolateSpec => ({
    instanceId: `${name}#1`,
    packageName: name,
    version: "1.0.0",
    code,
    memoryMb: 128,
    timeoutMs,
    cpuMs: 60_000,
    config: {},
    env: {},
    permissions: emptyPermissionSet(),
    root: os.tmpdir(),
    dataDir: os.tmpdir(),
    dependencies,
  });
  try {
    const b = spec("b", `export default { start(ctx) { ctx.registry.provide("echo", { echo: (value) => value }); } };`, [], providerTimeoutMs);
    const a = spec(
      "a",
      `${DRIVER}
let ctx;
export default {
  start(c) { ctx = c; },
  async fetch() {
    const echo = await ctx.registry.use("b", "echo");
    return Response.json(await drive((value) => echo.echo(value), ${CALLS}, ${CONCURRENT_CALLS}, ${IN_FLIGHT}, ${JSON.stringify(ARGUMENT)}));
  },
};`,
      ["b"],
    );
    for (const s of [b, a]) {
      await sandbox.load(s);
      await sandbox.hook(s.instanceId, "start");
    }
    const response = await sandbox.request(a.instanceId, {
      head: { method: "GET", url: "http://a/", headers: [], remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 } },
      body: null,
    });
    return JSON.parse(await text(response.body)) as Figures;
  } finally {
    await sandbox.close();
  }
}

/**
 * The same hop with isolated-vm alone, through host JavaScript: A posts the
 * value to a host callback, the host applies B's function and applies A's
 * `resolve` with the copy. What the registry adds to this is its checks,
 * deadlines, counters and in-isolate bookkeeping.
 */
async function rawRun(): Promise<Figures> {
  const a = new ivm.Isolate({ memoryLimit: 128 });
  const b = new ivm.Isolate({ memoryLimit: 128 });
  try {
    const contextB = await b.createContext();
    const echo = (await contextB.eval("(value) => value", { reference: true })) as ivm.Reference<(value: unknown) => unknown>;
    const contextA = await a.createContext();
    const started = performance.now();
    let resolve: ivm.Reference<(id: number, value: unknown) => void> | undefined;
    const post = new ivm.Callback(
      (id: number, value: unknown) => {
        // The last answer may still be running when the bench disposes A: that rejection is expected.
        echo
          .apply(undefined, [value], { arguments: { copy: true }, result: { copy: true } })
          .then((copy) => resolve!.apply(undefined, [id, copy], { arguments: { copy: true } }))
          .catch(() => undefined);
      },
      { ignored: true },
    );
    const now = new ivm.Callback(() => performance.now() - started, { sync: true });
    await contextA.evalClosure(
      `const performance = { now: $1 }; ${DRIVER};
       const pending = new Map(); let next = 0;
       const hop = (value) => new Promise((resolve) => { const id = next++; pending.set(id, resolve); $0(id, value); });
       globalThis.resolve = (id, value) => { const r = pending.get(id); pending.delete(id); r(value); };
       globalThis.run = () => drive(hop, ${CALLS}, ${CONCURRENT_CALLS}, ${IN_FLIGHT}, ${JSON.stringify(ARGUMENT)});`,
      [post, now],
    );
    resolve = (await contextA.global.get("resolve", { reference: true })) as ivm.Reference<(id: number, value: unknown) => void>;
    const drive = (await contextA.global.get("run", { reference: true })) as ivm.Reference<() => Promise<Figures>>;
    return (await drive.apply(undefined, [], { result: { promise: true, copy: true } })) as Figures;
  } finally {
    a.dispose();
    b.dispose();
  }
}

/** An HTTP echo server in another Node process; the same call made with keep-alive requests on loopback. */
async function httpRun(): Promise<Figures> {
  const server = spawn(
    process.execPath,
    [
      "-e",
      `require("http").createServer((req, res) => { const parts = []; req.on("data", (c) => parts.push(c)); req.on("end", () => { res.setHeader("content-type", "application/json"); res.end(Buffer.concat(parts)); }); }).listen(0, "127.0.0.1", function () { console.log(this.address().port); });`,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  try {
    const port = await new Promise<number>((resolve, reject) => {
      server.stdout.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
      server.once("exit", () => reject(new Error("the HTTP echo server ended")));
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
    const body = JSON.stringify(ARGUMENT);
    const call = () =>
      new Promise<unknown>((resolve, reject) => {
        const request = http.request({ host: "127.0.0.1", port, method: "POST", path: "/", agent, headers: { "content-type": "application/json" } }, (response) => {
          const parts: Buffer[] = [];
          response.on("data", (chunk: Buffer) => parts.push(chunk));
          response.on("end", () => resolve(JSON.parse(Buffer.concat(parts).toString())));
        });
        request.on("error", reject);
        request.end(body);
      });
    const calls = CALLS / 2;
    for (let i = 0; i < 500; i++) await call();
    const times: number[] = [];
    for (let i = 0; i < calls; i++) {
      const started = performance.now();
      await call();
      times.push(performance.now() - started);
    }
    let next = 0;
    const started = performance.now();
    await Promise.all(Array.from({ length: IN_FLIGHT }, async () => { while (next++ < calls) await call(); }));
    agent.destroy();
    return { times, concurrentRate: calls / ((performance.now() - started) / 1000) };
  } finally {
    server.kill();
  }
}

/** The figures of one kind of call in one round. */
interface Round {
  p50: number;
  p99: number;
  sequentialRate: number;
  concurrentRate: number;
}

function roundOf(figures: Figures): Round {
  return {
    p50: percentile(figures.times, 50),
    p99: percentile(figures.times, 99),
    sequentialRate: figures.times.length / (figures.times.reduce((sum, t) => sum + t, 0) / 1000),
    concurrentRate: figures.concurrentRate,
  };
}

const median = (values: number[]): number => percentile(values, 50);

function row(rounds: Round[]): string {
  const m = (pick: (round: Round) => number) => median(rounds.map(pick));
  const rate = (value: number) => Math.round(value).toLocaleString("en").padStart(7);
  return `p50 ${(m((r) => r.p50) * 1000).toFixed(1).padStart(6)} µs   p99 ${(m((r) => r.p99) * 1000).toFixed(1).padStart(7)} µs   ` +
    `${rate(m((r) => r.sequentialRate))} calls/s one at a time   ${rate(m((r) => r.concurrentRate))} calls/s ${IN_FLIGHT} at once`;
}

export async function run(): Promise<void> {
  const rounds: Record<"registry" | "registryOwnThread" | "raw" | "http", Round[]> = { registry: [], registryOwnThread: [], raw: [], http: [] };
  // Interleaved rounds, medians reported: the machine is shared, and one slow moment should not decide a ratio.
  for (let i = 0; i < ROUNDS; i++) {
    rounds.raw.push(roundOf(await rawRun()));
    rounds.registry.push(roundOf(await registryRun(PROVIDER_TIMEOUT_MS.hostThread)));
    rounds.registryOwnThread.push(roundOf(await registryRun(PROVIDER_TIMEOUT_MS.ownThread)));
    rounds.http.push(roundOf(await httpRun()));
  }
  report(
    `a call from package A to package B with ${JSON.stringify(ARGUMENT)}: ${CALLS} one at a time, then ${CONCURRENT_CALLS} with ${IN_FLIGHT} in flight; median of ${ROUNDS} interleaved rounds`,
    [
      ["ctx.registry (A -> host -> B and back)", row(rounds.registry)],
      ["ctx.registry, B on its own thread (timeoutMs 10 s, cpuMs 60 s)", row(rounds.registryOwnThread)],
      ["raw isolated-vm hop (same path, no checks)", row(rounds.raw)],
      ["HTTP between two processes (loopback, keep-alive)", row(rounds.http)],
    ],
  );
  const perRound = (name: string, of: (i: number) => number) => {
    const values = rounds.raw.map((_, i) => of(i));
    console.log(`  ${name}, per round: ${values.map((r) => r.toFixed(2)).join(", ")} (median ${median(values).toFixed(2)}x)`);
  };
  console.log("");
  perRound("p50 registry / raw hop", (i) => rounds.registry[i]!.p50 / rounds.raw[i]!.p50);
  perRound("p50 HTTP / registry", (i) => rounds.http[i]!.p50 / rounds.registry[i]!.p50);
  perRound("p50 registry, B on its own thread / raw hop", (i) => rounds.registryOwnThread[i]!.p50 / rounds.raw[i]!.p50);
  perRound("p50 HTTP / registry, B on its own thread", (i) => rounds.http[i]!.p50 / rounds.registryOwnThread[i]!.p50);
}
