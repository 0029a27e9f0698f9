// Three (or more) real host processes in one fleet for tests and benchmarks:
// separate data folders and ports, short leases so that failures show fast.

import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestContext } from "node:test";
import { startNats, type NatsServer } from "./nats_server.ts";
import { spawnHost, stopHost, type SpawnedHost } from "./spawn_host.ts";

export const FLEET_TOKEN = "fleet-test-admin-token";

/** Short timings, so a test sees a dead host drop out within a few seconds. */
export const FAST_FLEET = {
  ISOPOD_FLEET_LEASE_MS: "1500",
  ISOPOD_FLEET_SYNC_MS: "500",
  ISOPOD_FLEET_TIMEOUT_MS: "1000",
  ISOPOD_FLEET_RETRY_MS: "1000",
  ISOPOD_FLEET_JOIN_MS: "10000",
};

export interface FleetHost extends SpawnedHost {
  id: string;
  dataDir: string;
}

/** Starts host `id` in the fleet at `engine`, its data in `root/id` (kept across restarts of the same id). */
export async function spawnFleetHost(t: TestContext, engine: string, root: string, id: string): Promise<FleetHost> {
  const dataDir = path.join(root, id);
  const host = await spawnHost(t, {
    ISOPOD_DATA: dataDir,
    ISOPOD_ADMIN_TOKEN: FLEET_TOKEN,
    ISOPOD_SANDBOX: "inline",
    ISOPOD_STATS_INTERVAL_MS: "0",
    ISOPOD_FLEET: engine,
    ISOPOD_FLEET_HOST_ID: id,
    ...FAST_FLEET,
  });
  return { ...host, id, dataDir };
}

export interface FleetFixture {
  tmp: string;
  nats: NatsServer;
  /** Starts host `id`; a restarted id keeps its data folder. */
  spawn(id: string): Promise<FleetHost>;
}

/**
 * A NATS server and a folder for hosts' data. Its one cleanup stops every host, then
 * the server, then removes the folder (hooks run in the order registered, so this order is explicit).
 */
export async function useFleet(t: TestContext): Promise<FleetFixture> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), "isopod-fleet-"));
  const hosts: FleetHost[] = [];
  let nats: NatsServer | undefined;
  t.after(async () => {
    await Promise.all(hosts.map((host) => stopHost(host.child)));
    await nats?.stop();
    await rm(tmp, { recursive: true, force: true, maxRetries: 5 });
  });
  nats = await startNats(path.join(tmp, "nats"), () => undefined);
  const engine = nats.url;
  return {
    tmp,
    nats,
    spawn: async (id) => {
      const host = await spawnFleetHost(t, engine, tmp, id);
      hosts.push(host);
      return host;
    },
  };
}

export async function api(host: { url: string }, method: string, route: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${host.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${FLEET_TOKEN}`, ...(body !== undefined && { "content-type": "application/json" }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // a package's plain text
  }
  return { status: response.status, body: parsed };
}

/** What `/pkg/{name}/` answers on `host`: status and text, or status 0 when the host cannot be reached. */
export async function pkgText(host: { url: string }, name: string): Promise<{ status: number; text: string }> {
  try {
    const response = await fetch(`${host.url}/pkg/${name}/`, { signal: AbortSignal.timeout(5_000) });
    return { status: response.status, text: await response.text() };
  } catch {
    return { status: 0, text: "" };
  }
}

export { stopHost };
