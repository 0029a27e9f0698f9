// ISOPOD_SANDBOX_PROCESSES=1 against =2 in one run: hello on the data plane
// under load (the ratio is the target), and memory per package.

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

function pidsOf(host: Host): number[] {
  const sandbox = host.sandbox as Partial<SandboxPool> & { pid?: number };
  if (sandbox.pids !== undefined) return sandbox.pids;
  return sandbox.pid === undefined ? [] : [sandbox.pid];
}

async function withHost(processes: number, roots: string[]): Promise<{ result: LoadResult; perPackageMiB: number }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "isopod-bench-pool-"));
  const env = { ISOPOD_ADMIN_TOKEN: "bench", ISOPOD_PKG_PORT: "0", ISOPOD_SANDBOX_PROCESSES: String(processes) };
  const host = await Host.open({ ...configFromEnv(env), dataDir, port: 0 });
  try {
    await host.boot();
    await host.packages.add({ path: HELLO, start: true }, { name: "bench" });
    const pids = () => pidsOf(host);
    const result = await load(`${host.pkgUrl}/pkg/@isopod/hello/?name=bench`, { seconds: LOAD_SECONDS, pids });
    const rss = () => pids().reduce((sum, pid) => sum + rssOf(pid), 0);
    const before = rss();
    for (const root of roots) await host.packages.add({ path: root, start: true }, { name: "bench" });
    const perPackageMiB = (rss() - before) / roots.length / 1024 / 1024;
    return { result, perPackageMiB };
  } finally {
    await host.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  console.log(`sandbox pool (node ${process.version}, ${os.cpus().length} cores): hello on the data plane, 10 connections, ${LOAD_SECONDS} s; RSS of the sandbox processes per added package (${COPIES} copies of hello)`);
  const { dir, roots } = await helloCopies(COPIES, { prefix: "pool" });
  try {
    const one = await withHost(1, roots);
    console.log(loadLine("ISOPOD_SANDBOX_PROCESSES=1: hello", one.result));
    const two = await withHost(2, roots);
    console.log(loadLine("ISOPOD_SANDBOX_PROCESSES=2: hello", two.result, one.result));
    console.log(`  ratio 2 / 1 processes: ${(two.result.rps / one.result.rps).toFixed(2)}x req/s`);
    console.log(`  memory per package: ${one.perPackageMiB.toFixed(2)} MiB with 1 process, ${two.perPackageMiB.toFixed(2)} MiB with 2 (all processes)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
