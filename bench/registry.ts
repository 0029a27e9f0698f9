// The registry's cost: a call from package A to package B with a small
// argument, one at a time and many at once, against the raw isolated-vm hop
// (isolate -> host -> isolate and back, measured in this run) and against an
// HTTP request between two processes on loopback. With the host's default
// limits both packages' calls run on the host's thread (a synchronous hop);
// with long limits a package runs on its own thread, and each call crosses
// threads (an asynchronous hop). Each is set against the raw hop of its kind.

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
  /**
   * Milliseconds between two readings of the clock with nothing between: what
   * the clock adds to each time. In an isolate on its own thread it is large:
   * \`performance.now()\` there asks the host's thread, and waits for it.
   */
  clock: number[];
  /** Calls per second with IN_FLIGHT at once. */
  concurrentRate: number;
}

/** In-isolate code shared by the registry and raw runs: `call` is one hop; returns per-call times and a concurrent rate. */
const DRIVER = `
async function drive(call, calls, concurrentCalls, inFlight, argument) {
  for (let i = 0; i < 500; i++) await call(argument);
  const clock = new Array(1000);
  for (let i = 0; i < clock.length; i++) { const started = performance.now(); clock[i] = performance.now() - started; }
  const times = new Array(calls);
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await call(argument);
    times[i] = performance.now() - started;
  }
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, async () => { while (next++ < concurrentCalls) await call(argument); }));
  return { times, clock, concurrentRate: concurrentCalls / ((performance.now() - started) / 1000) };
}`;

async function text(body: SandboxResponse["body"]): Promise<string> {
  if (body === null) return "";
  if (body instanceof Uint8Array) return new TextDecoder().decode(body);
  const parts: Uint8Array[] = [];
  for (let chunk = await body.read(); chunk !== null; chunk = await body.read()) parts.push(chunk);
  return new TextDecoder().decode(Buffer.concat(parts));
}

interface Limits {
  timeoutMs: number;
  cpuMs: number;
}

/**
 * A package's limits. With the host's defaults (5 s wall, 2 s CPU) its calls may run on the host's thread
 * (sandbox/host/request_dispatch.ts); with long ones it always runs on its own thread.
 */
const LIMITS = { defaults: { timeoutMs: 5_000, cpuMs: 2_000 }, ownThread: { timeoutMs: 120_000, cpuMs: 60_000 } } as const;

async function registryRun(caller: Limits, provider: Limits): Promise<Figures> {
  const sandbox = new LocalSandbox();
  const spec = (name: string, code: string, dependencies: string[], { timeoutMs, cpuMs }: Limits): IsolateSpec => ({
    instanceId: `${name}#1`,
    packageName: name,
    version: "1.0.0",
    code,
    memoryMb: 128,
    timeoutMs,
    cpuMs,
    config: {},
    env: {},
    permissions: emptyPermissionSet(),
    root: os.tmpdir(),
    dataDir: os.tmpdir(),
    dependencies,
  });
  try {
    const b = spec("b", `export default { start(ctx) { ctx.registry.provide("echo", { echo: (value) => value }); } };`, [], provider);
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
      caller,
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

/** What the raw hops share: B's echo function, A's context, and A's clock (a sync host callback, as the runtime's). */
interface EchoPair {
  echo: ivm.Reference<(value: unknown) => unknown>;
  contextA: ivm.Context;
  now: ivm.Callback;
}

async function withEchoPair(run: (pair: EchoPair) => Promise<Figures>): Promise<Figures> {
  const a = new ivm.Isolate({ memoryLimit: 128 });
  const b = new ivm.Isolate({ memoryLimit: 128 });
  try {
    const contextB = await b.createContext();
    const echo = (await contextB.eval("(value) => value", { reference: true })) as ivm.Reference<(value: unknown) => unknown>;
    const contextA = await a.createContext();
    const started = performance.now();
    return await run({ echo, contextA, now: new ivm.Callback(() => performance.now() - started, { sync: true }) });
  } finally {
    a.dispose();
    b.dispose();
  }
}

/**
 * The synchronous hop with isolated-vm alone: A runs on the host's thread and
 * calls a host callback, which applies B's function there and returns the
 * copy. What the registry adds to this is its checks, deadlines, counters and
 * in-isolate bookkeeping.
 */
function rawSyncRun(): Promise<Figures> {
  return withEchoPair(async ({ echo, contextA, now }) => {
    const hop = new ivm.Callback((value: unknown) => echo.applySync(undefined, [value], { arguments: { copy: true }, result: { copy: true } }), { sync: true });
    await contextA.evalClosure(
      `const performance = { now: $1 }; ${DRIVER};
       globalThis.run = () => { drive((value) => Promise.resolve($0(value)), ${CALLS}, ${CONCURRENT_CALLS}, ${IN_FLIGHT}, ${JSON.stringify(ARGUMENT)})
         .then((figures) => { globalThis.figures = JSON.stringify(figures); }); };`,
      [hop, now],
    );
    // Every call answers at once, so the whole drive runs in this call's microtasks.
    contextA.global.getSync("run", { reference: true }).applySync(undefined, []);
    return JSON.parse(contextA.global.getSync("figures") as string) as Figures;
  });
}

/**
 * The asynchronous hop with isolated-vm alone, through host JavaScript: A posts the
 * value to a host callback, the host applies B's function and applies A's
 * `resolve` with the copy. What the registry adds to this is its checks,
 * deadlines, counters and in-isolate bookkeeping.
 */
function rawRun(): Promise<Figures> {
  return withEchoPair(async ({ echo, contextA, now }) => {
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
  });
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
    const clock: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const started = performance.now();
      clock.push(performance.now() - started);
    }
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
    return { times, clock, concurrentRate: calls / ((performance.now() - started) / 1000) };
  } finally {
    server.kill();
  }
}

/** The figures of one kind of call in one round. */
interface Round {
  /** p50 of the times, less the p50 of what the clock adds to a time. */
  p50: number;
  clock: number;
  p99: number;
  sequentialRate: number;
  concurrentRate: number;
}

function roundOf(figures: Figures): Round {
  const clock = percentile(figures.clock, 50);
  return {
    p50: percentile(figures.times, 50) - clock,
    clock,
    p99: percentile(figures.times, 99) - clock,
    sequentialRate: figures.times.length / (figures.times.reduce((sum, t) => sum + t, 0) / 1000),
    concurrentRate: figures.concurrentRate,
  };
}

const median = (values: number[]): number => percentile(values, 50);

function row(rounds: Round[]): string {
  const m = (pick: (round: Round) => number) => median(rounds.map(pick));
  const rate = (value: number) => Math.round(value).toLocaleString("en").padStart(7);
  const us = (value: number, width: number) => (value * 1000).toFixed(1).padStart(width);
  return `p50 ${us(m((r) => r.p50), 6)} µs   p99 ${us(m((r) => r.p99), 7)} µs   (clock ${us(m((r) => r.clock), 5)} µs taken off)   ` +
    `${rate(m((r) => r.sequentialRate))} calls/s one at a time   ${rate(m((r) => r.concurrentRate))} calls/s ${IN_FLIGHT} at once`;
}

type Kind = "registry" | "rawSync" | "registryCallerOwnThread" | "registryOwnThreads" | "raw" | "http";

export async function run(): Promise<void> {
  const rounds: Record<Kind, Round[]> = { registry: [], rawSync: [], registryCallerOwnThread: [], registryOwnThreads: [], raw: [], http: [] };
  // Interleaved rounds, medians reported: the machine is shared, and one slow moment should not decide a ratio.
  for (let i = 0; i < ROUNDS; i++) {
    rounds.registry.push(roundOf(await registryRun(LIMITS.defaults, LIMITS.defaults)));
    rounds.rawSync.push(roundOf(await rawSyncRun()));
    rounds.registryCallerOwnThread.push(roundOf(await registryRun(LIMITS.ownThread, LIMITS.defaults)));
    rounds.registryOwnThreads.push(roundOf(await registryRun(LIMITS.ownThread, LIMITS.ownThread)));
    rounds.raw.push(roundOf(await rawRun()));
    rounds.http.push(roundOf(await httpRun()));
  }
  report(
    `a call from package A to package B with ${JSON.stringify(ARGUMENT)}: ${CALLS} one at a time, then ${CONCURRENT_CALLS} with ${IN_FLIGHT} in flight; ` +
      `median of ${ROUNDS} interleaved rounds; times less what reading the clock adds`,
    [
      ["ctx.registry, A and B with the default limits (host's thread)", row(rounds.registry)],
      ["raw isolated-vm hop, synchronous (A -> host -> B on one thread)", row(rounds.rawSync)],
      ["ctx.registry, A on its own thread (timeoutMs 120 s, cpuMs 60 s)", row(rounds.registryCallerOwnThread)],
      ["ctx.registry, A and B on their own threads", row(rounds.registryOwnThreads)],
      ["raw isolated-vm hop, asynchronous (A, host, B: three threads)", row(rounds.raw)],
      ["HTTP between two processes (loopback, keep-alive)", row(rounds.http)],
    ],
  );
  const perRound = (name: string, of: (i: number) => number) => {
    const values = rounds.raw.map((_, i) => of(i));
    console.log(`  ${name}, per round: ${values.map((r) => r.toFixed(2)).join(", ")} (median ${median(values).toFixed(2)}x)`);
  };
  const p50 = (kind: Kind, i: number) => rounds[kind][i]!.p50;
  console.log("");
  perRound("p50 registry (default limits) / synchronous raw hop", (i) => p50("registry", i) / p50("rawSync", i));
  perRound("p50 registry (default limits) / asynchronous raw hop", (i) => p50("registry", i) / p50("raw", i));
  perRound("p50 HTTP / registry (default limits)", (i) => p50("http", i) / p50("registry", i));
  perRound("p50 registry, A on its own thread / asynchronous raw hop", (i) => p50("registryCallerOwnThread", i) / p50("raw", i));
  perRound("p50 registry, A and B on their own threads / asynchronous raw hop", (i) => p50("registryOwnThreads", i) / p50("raw", i));
  perRound("p50 HTTP / registry, A on its own thread", (i) => p50("http", i) / p50("registryCallerOwnThread", i));
}
