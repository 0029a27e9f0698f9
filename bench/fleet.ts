// Issue 18's figures: an add on one host until it runs on all three, a host's
// rejoin, and /pkg through a loopback haproxy over three hosts against one host.

import autocannon from "autocannon";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestContext } from "node:test";
import { api, pkgText, spawnFleetHost, stopHost, type FleetHost } from "../tests/helpers/fleet_hosts.ts";
import { startNats } from "../tests/helpers/nats_server.ts";
import { writePackage } from "../tests/helpers/package_fixture.ts";
import { ms, percentile, report } from "./_measure.ts";
import { freePort } from "../tests/helpers/clients/deno_serve.ts";

const ADDS = 5;
const LOAD_SECONDS = 5;


async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const runsEverywhere = (hosts: FleetHost[], name: string) => async () =>
  (await Promise.all(hosts.map((host) => pkgText(host, name)))).every((answer) => answer.status === 200);

async function addPackages(dir: string, host: FleetHost, prefix: string, count: number, onAdded: (name: string) => Promise<void>): Promise<void> {
  for (let i = 0; i < count; i++) {
    const name = `${prefix}-${i}`;
    const root = await writePackage(dir, name, { files: { "mod.ts": `export default { fetch: () => new Response("${name}") };\n` } });
    const added = await api(host, "POST", "/v1/packages", { path: root, start: true });
    if (added.status !== 200) throw new Error(`add of ${name} answered ${added.status}: ${JSON.stringify(added.body)}`);
    await onAdded(name);
  }
}

async function load(url: string): Promise<string> {
  await autocannon({ url, connections: 10, duration: 1 });
  const result = await autocannon({ url, connections: 10, duration: LOAD_SECONDS });
  return `${result.requests.average.toFixed(0)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ${result.errors + result.non2xx} errors`;
}

async function haproxy(dir: string, backends: FleetHost[]): Promise<{ url: string; child: ChildProcess } | undefined> {
  if (spawnSync("haproxy", ["-v"]).status !== 0) return undefined;
  const port = await freePort();
  const servers = backends.map((host, i) => `  server h${i + 1} ${new URL(host.url).host}`).join("\n");
  const config = `global\n  maxconn 4096\ndefaults\n  mode http\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n  option http-keep-alive\nfrontend fleet\n  bind 127.0.0.1:${port}\n  default_backend hosts\nbackend hosts\n  balance roundrobin\n${servers}\n`;
  const file = path.join(dir, `haproxy-${port}.cfg`);
  await writeFile(file, config);
  const child = spawn("haproxy", ["-f", file, "-db"], { stdio: "ignore" });
  const url = `http://127.0.0.1:${port}`;
  await until(async () => (await fetch(`${url}/healthz`).then((r) => r.status, () => 0)) === 200, 10_000);
  return { url, child };
}

export async function run(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "isopod-bench-fleet-"));
  const cleanups: (() => Promise<void> | void)[] = [];
  const t = { after: (fn: () => Promise<void> | void) => cleanups.push(fn) } as unknown as TestContext;
  try {
    const nats = await startNats(path.join(dir, "nats"), (fn) => cleanups.push(fn));
    const hosts = await Promise.all(["h1", "h2", "h3"].map((id) => spawnFleetHost(t, nats.url, dir, id)));
    const [h1, h2, h3] = hosts as [FleetHost, FleetHost, FleetHost];

    // POST on host 1 until /pkg answers 200 on all three, each on a fresh name.
    const spread: number[] = [];
    for (let i = 0; i < ADDS; i++) {
      const started = performance.now();
      await addPackages(dir, h1, `add${i}`, 1, (name) => until(runsEverywhere(hosts, name), 30_000));
      spread.push(performance.now() - started);
    }

    await stopHost(h2.child, "SIGKILL");
    await addPackages(dir, h3, "missed", ADDS, async () => undefined);
    const rejoinStarted = performance.now();
    const back = await spawnFleetHost(t, nats.url, dir, "h2");
    const rejoin = performance.now() - rejoinStarted;
    const caughtUp = await runsEverywhere([back], "missed-4")();
    await stopHost(back.child, "SIGTERM");
    const quietStarted = performance.now();
    const again = await spawnFleetHost(t, nats.url, dir, "h2");
    const quiet = performance.now() - quietStarted;

    report(`fleet of 3 hosts (inline sandbox, lease 1.5 s), ${os.cpus().length} cores`, [
      ["add on h1 → running on all 3, median", ms(percentile(spread, 50))],
      ["add on h1 → running on all 3, max", ms(Math.max(...spread))],
      [`rejoin after ${ADDS} adds missed: spawn → ready (reconciled: ${caughtUp})`, ms(rejoin)],
      ["restart with nothing missed: spawn → ready", ms(quiet)],
    ]);

    const name = "add0-0";
    const proxied = await haproxy(dir, [h1, again, h3]);
    const single = await haproxy(dir, [h1]);
    const rows: [string, string][] = [[`h1 directly, /pkg/${name}/`, await load(`${h1.url}/pkg/${name}/`)]];
    if (proxied && single) {
      cleanups.push(() => void proxied.child.kill(), () => void single.child.kill());
      rows.push(["haproxy → h1 only", await load(`${single.url}/pkg/${name}/`)]);
      rows.push(["haproxy → h1, h2, h3 (round robin)", await load(`${proxied.url}/pkg/${name}/`)]);
    } else {
      rows.push(["haproxy", "not installed (apt-get install haproxy): skipped"]);
    }
    report(`/pkg throughput (autocannon, 10 connections, ${LOAD_SECONDS} s)`, rows);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await rm(dir, { recursive: true, force: true });
  }
}
