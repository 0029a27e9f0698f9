// A whole host for one test: a real SQLite file in a temp folder, real
// isolates, and the Hono app to send requests to. Closed when the test ends.

import type { TestContext } from "node:test";
import { createApp, listen, type RunningServer } from "../../api/index.ts";
import { configFromEnv, type HostConfig } from "../../runtime/config.ts";
import { Host } from "../../runtime/host.ts";
import { useTmp } from "./use_tmp.ts";

export const ADMIN_TOKEN = "test-admin-token";

export interface TestHost {
  host: Host;
  dataDir: string;
  /** Sends a request through the whole app; JSON bodies are encoded, the admin token is sent unless `token` says otherwise. */
  request(method: string, path: string, options?: { body?: unknown; token?: string | null; headers?: Record<string, string> }): Promise<Response>;
  /** Like `request`, and parses the JSON answer. */
  json(method: string, path: string, options?: { body?: unknown; token?: string | null }): Promise<{ status: number; body: any }>;
}

export async function useHost(t: TestContext, overrides: Partial<HostConfig> = {}): Promise<TestHost> {
  const dataDir = await useTmp(t, "isopod-host-");
  const config = { ...configFromEnv({ ISOPOD_ADMIN_TOKEN: ADMIN_TOKEN }), dataDir, port: 0, ...overrides };
  const host = await Host.open(config);
  t.after(() => host.close());
  await host.boot();
  const app = createApp(host);
  const request: TestHost["request"] = (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token === undefined ? ADMIN_TOKEN : options.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
      headers["content-type"] ??= "application/json";
    }
    return Promise.resolve(app.request(path, { method, headers, ...(body !== undefined && { body }) }));
  };
  return {
    host,
    dataDir,
    request,
    json: async (method, path, options) => {
      const response = await request(method, path, options);
      return { status: response.status, body: await response.json() };
    },
  };
}

/** The same host behind a real HTTP server on a loopback port. */
export async function useServer(t: TestContext, testHost: TestHost): Promise<RunningServer> {
  const server = await listen(testHost.host, { hostname: "127.0.0.1", port: 0 });
  t.after(() => server.close());
  return server;
}
