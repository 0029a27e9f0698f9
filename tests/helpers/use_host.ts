// A whole host for one test: a real SQLite file in a temp folder, real
// isolates, and the Hono app to send requests to. Closed when the test ends.
// `format` picks the wire format, so one suite runs in JSON and in MessagePack.

import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { Packr, Unpackr } from "msgpackr";
import { createApp, listen, type RunningServer } from "../../api/index.ts";
import { configFromEnv, type HostConfig } from "../../runtime/config.ts";
import { Host } from "../../runtime/host.ts";
import { useTmp } from "./use_tmp.ts";

export const ADMIN_TOKEN = "test-admin-token";

/** The wire formats every API suite runs in. */
export type Format = "json" | "msgpack";
export const FORMATS: readonly Format[] = ["json", "msgpack"];

// The tests' own codec (plain maps, no records), independent of the host's.
const packr = new Packr({ useRecords: false });
const unpackr = new Unpackr({ useRecords: false });

export interface UseHostOptions extends Partial<HostConfig> {
  /** Encoding of request bodies and of answers; default `json`. */
  format?: Format;
}

export interface TestHost {
  host: Host;
  dataDir: string;
  format: Format;
  /** Sends a request through the whole app; bodies are encoded in `format` (strings and bytes are sent as they are), the admin token is sent unless `token` says otherwise. */
  request(method: string, path: string, options?: { body?: unknown; token?: string | null; headers?: Record<string, string> }): Promise<Response>;
  /** Like `request`, and decodes the answer, which must come in `format`. */
  json(method: string, path: string, options?: { body?: unknown; token?: string | null }): Promise<{ status: number; body: any }>;
}

function encodeBody(format: Format, body: unknown): string | Uint8Array {
  if (typeof body === "string" || body instanceof Uint8Array) return body;
  return format === "msgpack" ? new Uint8Array(packr.pack(body)) : JSON.stringify(body);
}

async function decodeAnswer(format: Format, response: Response): Promise<unknown> {
  const type = response.headers.get("content-type") ?? "";
  if (format === "json") return response.json();
  assert.match(type, /^application\/msgpack/, `expected a MessagePack answer, got "${type}" (${response.status})`);
  return unpackr.unpack(new Uint8Array(await response.arrayBuffer()));
}

export async function useHost(t: TestContext, options: UseHostOptions = {}): Promise<TestHost> {
  const { format = "json", ...overrides } = options;
  const dataDir = await useTmp(t, "isopod-host-");
  // ISOPOD_SANDBOX=inline npm test runs the suite with the isolates in the test's own process.
  // The npm registry is a closed loopback port unless a test brings its own: tests never reach the internet.
  const env = { ISOPOD_ADMIN_TOKEN: ADMIN_TOKEN, ISOPOD_SANDBOX: process.env.ISOPOD_SANDBOX, ISOPOD_NPM_REGISTRY: "http://127.0.0.1:9/", HOME: "/nonexistent" };
  const config = { ...configFromEnv(env), dataDir, port: 0, ...overrides };
  const host = await Host.open(config);
  t.after(() => host.close());
  await host.boot();
  const app = createApp(host);
  const request: TestHost["request"] = (method, path, options = {}) => {
    const headers: Record<string, string> = {};
    if (format === "msgpack") headers.accept = "application/msgpack";
    const token = options.token === undefined ? ADMIN_TOKEN : options.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body: string | Uint8Array | undefined;
    if (options.body !== undefined) {
      body = encodeBody(format, options.body);
      headers["content-type"] = format === "msgpack" ? "application/msgpack" : "application/json";
    }
    Object.assign(headers, options.headers);
    return Promise.resolve(app.request(path, { method, headers, ...(body !== undefined && { body }) }));
  };
  return {
    host,
    dataDir,
    format,
    request,
    json: async (method, path, options) => {
      const response = await request(method, path, options);
      return { status: response.status, body: await decodeAnswer(format, response) };
    },
  };
}

/** The same host behind a real HTTP server on a loopback port. */
export async function useServer(t: TestContext, testHost: TestHost): Promise<RunningServer> {
  const server = await listen(testHost.host, { hostname: "127.0.0.1", port: 0 });
  t.after(() => server.close());
  return server;
}
