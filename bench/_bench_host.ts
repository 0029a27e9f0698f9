// A host in a temp folder for benchmarks, with the app to send requests to.

import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createApp } from "../api/index.ts";
import { configFromEnv } from "../runtime/config.ts";
import { Host } from "../runtime/host.ts";

export const BENCH_TOKEN = "bench-token";

export interface BenchHost {
  host: Host;
  dir: string;
  call(method: string, route: string, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** `env` adds configuration (registries, bounds) to the admin token. */
export async function openBenchHost(env: Record<string, string> = {}): Promise<BenchHost> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "isopod-bench-"));
  const host = await Host.open({ ...configFromEnv({ ...env, ISOPOD_ADMIN_TOKEN: BENCH_TOKEN }), dataDir: dir, port: 0 });
  await host.boot();
  const app = createApp(host);
  return {
    host,
    dir,
    call: async (method, route, body) => {
      const response = await app.request(route, {
        method,
        headers: { authorization: `Bearer ${BENCH_TOKEN}`, "content-type": "application/json" },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: await response.json() };
    },
    close: async () => {
      await host.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
