// Response bodies read ahead in the isolate (sandbox/isolate/web/body_streams.ts): chunks a package
// enqueues at once arrive whole and in order (the same buffer enqueued again too), a package streaming to a
// client that does not read is held at the read-ahead bound, and chunks read before an error arrive before it.

import assert from "node:assert/strict";
import { test } from "node:test";
import { isolateSpec } from "../helpers/isolate_spec.ts";
import { READ_AHEAD_BYTES } from "../../sandbox/isolate/web/body_streams.ts";
import { LocalSandbox, type ChunkSource, type IsolateSpec } from "../../sandbox/index.ts";

const CHUNK = 64 * 1024;

const MODULE = `
let pulls = 0;
export default {
  fetch(request) {
    const what = new URL(request.url).pathname;
    if (what === "/pulls") return new Response(String(pulls));
    if (what === "/burst") {
      let sent = 0;
      return new Response(new ReadableStream({ pull(c) { sent++ === 16 ? c.close() : c.enqueue(new Uint8Array(${CHUNK}).fill(sent)); } }));
    }
    if (what === "/same") {
      const chunk = new Uint8Array(${CHUNK}).fill(7);
      let sent = 0;
      return new Response(new ReadableStream({ pull(c) { sent++ === 8 ? c.close() : c.enqueue(chunk); } }));
    }
    if (what === "/endless") return new Response(new ReadableStream({ pull(c) { pulls++; c.enqueue(new Uint8Array(${CHUNK})); } }));
    if (what === "/broken") {
      let sent = 0;
      return new Response(new ReadableStream({ pull(c) { if (sent++ < 2) c.enqueue(new Uint8Array([sent])); else c.error(new RangeError("gone")); } }));
    }
    return new Response("?", { status: 404 });
  },
};
`;

function spec(): IsolateSpec {
  return isolateSpec("ahead", MODULE, { memoryMb: 64 });
}

async function body(sandbox: LocalSandbox, what: string): Promise<ChunkSource> {
  const answer = await sandbox.request("ahead#1", { head: { method: "GET", url: `http://x${what}`, headers: [], remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 } }, body: null });
  assert.ok(answer.body !== null && !(answer.body instanceof Uint8Array), "a streamed body");
  return answer.body;
}

test("chunks a package enqueues at once arrive whole, one per read, every byte in order", async (t) => {
  const sandbox = new LocalSandbox();
  t.after(() => sandbox.close());
  await sandbox.load(spec());
  const source = await body(sandbox, "/burst");
  const sizes: number[] = [];
  const bytes: number[] = [];
  for (let chunk = await source.read(); chunk !== null; chunk = await source.read()) {
    sizes.push(chunk.byteLength);
    for (let i = 0; i < chunk.byteLength; i += CHUNK) bytes.push(chunk[i]!);
  }
  assert.equal(sizes.reduce((a, b) => a + b, 0), 16 * CHUNK);
  assert.deepEqual(bytes, Array.from({ length: 16 }, (_, i) => i + 1), "chunks in the order enqueued");
  assert.deepEqual(sizes, Array(16).fill(CHUNK), "each chunk as the package enqueued it");
});

test("a buffer the package enqueues again and again arrives whole each time", async (t) => {
  const sandbox = new LocalSandbox();
  t.after(() => sandbox.close());
  await sandbox.load(spec());
  const source = await body(sandbox, "/same");
  const chunks: Uint8Array[] = [];
  for (let chunk = await source.read(); chunk !== null; chunk = await source.read()) chunks.push(chunk);
  assert.equal(chunks.length, 8);
  for (const chunk of chunks) assert.ok(chunk.byteLength === CHUNK && chunk.every((byte) => byte === 7));
});

test("a package streaming to a client that stops reading is held at the read-ahead bound", async (t) => {
  const sandbox = new LocalSandbox();
  t.after(() => sandbox.close());
  await sandbox.load(spec());
  const source = await body(sandbox, "/endless");
  await source.read();
  await new Promise((resolve) => setTimeout(resolve, 100));
  const pulls = await sandbox.request("ahead#1", { head: { method: "GET", url: "http://x/pulls", headers: [], remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 } }, body: null });
  const count = Number(new TextDecoder().decode(pulls.body as Uint8Array));
  // The stream's own queue (its high-water mark) holds one more chunk on top of what is read ahead.
  assert.ok(count <= (2 * READ_AHEAD_BYTES) / CHUNK + 2, `the package was pulled ${count} times while nothing was read`);
  source.cancel("done");
});

test("chunks read before a stream fails arrive before its error", async (t) => {
  const sandbox = new LocalSandbox();
  t.after(() => sandbox.close());
  await sandbox.load(spec());
  const source = await body(sandbox, "/broken");
  const seen: number[] = [];
  await assert.rejects(async () => {
    for (let chunk = await source.read(); chunk !== null; chunk = await source.read()) seen.push(...chunk);
  }, /RangeError: gone/);
  assert.deepEqual(seen, [1, 2]);
});
