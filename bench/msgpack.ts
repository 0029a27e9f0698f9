// What MessagePack costs and saves on an API answer: a list of 100 packages
// answered as JSON and re-encoded as MessagePack by the middleware, in process.

import { Hono } from "hono";
import { Unpackr } from "msgpackr";
import { msgpackAnswers } from "../api/msgpack.ts";

const ITERATIONS = 2_000;

function fakePackage(i: number) {
  return {
    name: `@bench/package-${i}`,
    version: "1.2.3",
    state: i % 3 === 0 ? "running" : "installed",
    desiredState: "running",
    source: { kind: "git", url: "https://github.com/acme/pkgs", ref: "main", commit: "0123456789abcdef0123456789abcdef01234567" },
    error: null,
    permissions: {
      requested: { net: { allow: ["api.example.com"], deny: [] }, env: { allow: ["TZ"], deny: [] }, read: { allow: [], deny: [] }, write: { allow: [], deny: [] } },
      granted: { net: { allow: ["api.example.com"], deny: [] }, env: { allow: [], deny: [] }, read: { allow: [], deny: [] }, write: { allow: [], deny: [] } },
    },
    dependencies: { "@bench/base": "^1.0.0" },
    integrity: `sha256-${"ab".repeat(32)}`,
    installedAt: new Date(0).toISOString(),
    updatedAt: new Date(0).toISOString(),
  };
}

async function measure(app: Hono, accept: string): Promise<{ perSecond: number; bytes: number }> {
  let bytes = 0;
  const started = performance.now();
  for (let i = 0; i < ITERATIONS; i++) {
    const response = await app.request("/v1/packages", { headers: { accept } });
    bytes = (await response.arrayBuffer()).byteLength;
  }
  return { perSecond: Math.round(ITERATIONS / ((performance.now() - started) / 1000)), bytes };
}

export async function run(): Promise<void> {
  const items = Array.from({ length: 100 }, (_, i) => fakePackage(i));
  const app = new Hono();
  app.use("*", msgpackAnswers());
  app.get("/v1/packages", (c) => c.json({ items }));
  // Warm up both paths.
  await measure(app, "application/json");
  await measure(app, "application/msgpack");
  const json = await measure(app, "application/json");
  const msgpack = await measure(app, "application/msgpack");
  const check = new Unpackr({ useRecords: false }).unpack(new Uint8Array(await (await app.request("/v1/packages", { headers: { accept: "application/msgpack" } })).arrayBuffer()));
  if (JSON.stringify(check) !== JSON.stringify({ items })) throw new Error("MessagePack answer differs from JSON");
  console.log(`list of 100 packages, ${ITERATIONS} requests each, in process:`);
  console.log(`  JSON:        ${json.perSecond} answers/s, ${json.bytes} bytes`);
  console.log(`  MessagePack: ${msgpack.perSecond} answers/s, ${msgpack.bytes} bytes (${Math.round((100 * msgpack.bytes) / json.bytes)}% of JSON)`);
}
