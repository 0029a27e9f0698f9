// ISOPOD_SANDBOX_PROCESSES=1 against =2 in one run: /pkg on the data plane
// under load (the ratio is the target), and memory per package.
//
// Two loads. hello costs the server ~20 µs of CPU per request, and the load
// generator about as much again: on a 2-core machine autocannon takes one core
// and a second sandbox process has no core to run on. A package that does
// ~0.2 ms of work per request leaves the load generator a small share, and
// shows what a second process adds when the packages, not the client, use the CPU.

import { rm } from "node:fs/promises";
import os from "node:os";
import { mkdtemp } from "node:fs/promises";
import path from "node:path";
import { configFromEnv } from "../runtime/config.ts";
import { Host } from "../runtime/host.ts";
import type { SandboxPool } from "../sandbox/index.ts";
import { HELLO, helloCopies, rssOf } from "./_hello_copies.ts";
import { load, loadLine, type LoadResult } from "./_load.ts";

const LOAD_SECONDS = 5;
const COPIES = 50;

/**
 * The package that works for its answer: a checksum over a page of text, as a
 * handler that renders or signs does: about 0.2 ms of CPU here, and little
 * garbage, so that one process uses one core (a handler under 1 ms stays on
 * the host's thread, sandbox/host/request_dispatch.ts; V8's GC helpers would add threads).
 */
const BUSY_MODULE = `
const PAGE = Array.from({ length: 100 }, (_, i) => "<li>row " + i + ": " + "lorem ipsum dolor sit amet ".repeat(2) + "</li>").join("");
export default {
  fetch(request: Request): Response {
    let hash = 2166136261;
    for (let round = 0; round < 24; round++) {
      for (let i = 0; i < PAGE.length; i++) hash = Math.imul(hash ^ PAGE.charCodeAt(i), 16777619);
    }
    return Response.json({ bytes: PAGE.length, hash: hash >>> 0 });
  },
};
`;

function pidsOf(host: Host): number[] {
  const sandbox = host.sandbox as Partial<SandboxPool> & { pid?: number };
  if (sandbox.pids !== undefined) return sandbox.pids;
  return sandbox.pid === undefined ? [] : [sandbox.pid];
}

interface PoolFigures {
  hello: LoadResult;
  busy: LoadResult;
  perPackageMiB: number;
}

async function withHost(processes: number, busyRoot: string, roots: string[]): Promise<PoolFigures> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "isopod-bench-pool-"));
  const env = { ISOPOD_ADMIN_TOKEN: "bench", ISOPOD_PKG_PORT: "0", ISOPOD_SANDBOX_PROCESSES: String(processes) };
  const host = await Host.open({ ...configFromEnv(env), dataDir, port: 0 });
  try {
    await host.boot();
    await host.packages.add({ path: HELLO, start: true }, { name: "bench" });
    await host.packages.add({ path: busyRoot, start: true }, { name: "bench" });
    const pids = () => pidsOf(host);
    const hello = await load(`${host.pkgUrl}/pkg/@isopod/hello/?name=bench`, { seconds: LOAD_SECONDS, pids });
    const busy = await load(`${host.pkgUrl}/pkg/@bench/busy-0/`, { seconds: LOAD_SECONDS, pids });
    const rss = () => pids().reduce((sum, pid) => sum + rssOf(pid), 0);
    const before = rss();
    for (const root of roots) await host.packages.add({ path: root, start: true }, { name: "bench" });
    const perPackageMiB = (rss() - before) / roots.length / 1024 / 1024;
    return { hello, busy, perPackageMiB };
  } finally {
    await host.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  console.log(
    `sandbox pool (node ${process.version}, ${os.cpus().length} cores): hello, then a package that works ~0.2 ms per request, ` +
      `on the data plane, 10 connections, ${LOAD_SECONDS} s each; RSS of the sandbox processes per added package (${COPIES} copies of hello)`,
  );
  const { dir, roots } = await helloCopies(COPIES, { prefix: "pool" });
  const busy = await helloCopies(1, { prefix: "busy", module: BUSY_MODULE });
  try {
    const one = await withHost(1, busy.roots[0]!, roots);
    console.log(loadLine("ISOPOD_SANDBOX_PROCESSES=1: hello", one.hello));
    console.log(loadLine("ISOPOD_SANDBOX_PROCESSES=1: busy", one.busy));
    const two = await withHost(2, busy.roots[0]!, roots);
    console.log(loadLine("ISOPOD_SANDBOX_PROCESSES=2: hello", two.hello, one.hello));
    console.log(loadLine("ISOPOD_SANDBOX_PROCESSES=2: busy", two.busy, one.busy));
    console.log(`  ratio 2 / 1 processes: hello ${(two.hello.rps / one.hello.rps).toFixed(2)}x req/s (the load generator holds the other core), busy ${(two.busy.rps / one.busy.rps).toFixed(2)}x req/s`);
    console.log(`  memory per package: ${one.perPackageMiB.toFixed(2)} MiB with 1 process, ${two.perPackageMiB.toFixed(2)} MiB with 2 (all processes)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
    await rm(busy.dir, { recursive: true, force: true });
  }
}
