// Automatic compression: chunks flushed as they come, the bound on answers
// compressed at once, and compressors freed on end, cancel and error.

import assert from "node:assert/strict";
import { test } from "node:test";
import { constants, gunzipSync } from "node:zlib";
import type { ChunkSource, SandboxResponse } from "../sandbox.ts";
import { compressAnswer, compressingNow, MAX_COMPRESSING, wantsCompression } from "./compress_answer.ts";

const GZIP: [string, string][] = [["accept-encoding", "gzip"]];

function chunks(parts: string[], fail = false): ChunkSource & { cancelled: boolean } {
  const left = [...parts];
  const source = {
    cancelled: false,
    read: async () => {
      if (left.length > 0) return new TextEncoder().encode(left.shift()!);
      if (fail) throw new Error("the package's stream broke");
      return null;
    },
    cancel: () => void (source.cancelled = true),
  };
  return source;
}

function answerOf(body: SandboxResponse["body"], type = "text/plain"): SandboxResponse {
  return { status: 200, statusText: "", headers: [["content-type", type]], body };
}

test("a streamed answer is compressed chunk by chunk: each read decodes to the chunk the package wrote", async () => {
  const answer = compressAnswer(answerOf(chunks(["first chunk\n", "second chunk\n"])), GZIP);
  assert.deepEqual(answer.headers, [["content-type", "text/plain"], ["vary", "Accept-Encoding"], ["content-encoding", "gzip"]]);
  const source = answer.body as ChunkSource;
  const received: Uint8Array[] = [];
  const decoded = () => gunzipSync(Buffer.concat(received), { finishFlush: constants.Z_SYNC_FLUSH }).toString();
  received.push((await source.read())!);
  assert.equal(decoded(), "first chunk\n");
  received.push((await source.read())!);
  assert.equal(decoded(), "first chunk\nsecond chunk\n");
  received.push((await source.read())!);
  assert.equal(gunzipSync(Buffer.concat(received)).toString(), "first chunk\nsecond chunk\n");
  assert.equal(await source.read(), null);
  assert.equal(compressingNow(), 0);
});

test("answers past MAX_COMPRESSING at once go out unchanged, and a cancelled one frees its place", async () => {
  const held = Array.from({ length: MAX_COMPRESSING }, () => compressAnswer(answerOf(chunks(["a".repeat(100)])), GZIP));
  assert.ok(held.every((answer) => answer.headers.some(([name]) => name === "content-encoding")));
  const over = answerOf(chunks(["b".repeat(100)]));
  assert.equal(compressAnswer(over, GZIP), over);
  for (const answer of held) (answer.body as ChunkSource).cancel("the client went away");
  assert.equal(compressingNow(), 0);
  const now = compressAnswer(over, GZIP);
  assert.notEqual(now, over);
  (now.body as ChunkSource).cancel();
});

test("a package stream that fails frees its compressor and the failure reaches the writer", async () => {
  const answer = compressAnswer(answerOf(chunks(["x".repeat(100)], true)), [["accept-encoding", "br"]]);
  const source = answer.body as ChunkSource;
  assert.ok((await source.read())!.byteLength > 0);
  await assert.rejects(source.read(), /the package's stream broke/);
  assert.equal(compressingNow(), 0);
});

test("small, untyped, binary or no-transform answers are left as they are", () => {
  const small = answerOf(new Uint8Array(63));
  const untyped: SandboxResponse = { ...answerOf(new Uint8Array(100)), headers: [] };
  const binary = answerOf(new Uint8Array(100), "image/png");
  const kept = { ...answerOf(new Uint8Array(100)), headers: [["content-type", "text/plain"], ["cache-control", "no-transform"]] } as SandboxResponse;
  for (const answer of [small, untyped, binary, kept]) assert.equal(compressAnswer(answer, GZIP), answer);
  assert.equal(compressingNow(), 0);
});

test("only DENO_SERVE_AUTOMATIC_COMPRESSION=1 or true in the package's env turns compression on", () => {
  assert.equal(wantsCompression({}), false);
  assert.equal(wantsCompression({ DENO_SERVE_AUTOMATIC_COMPRESSION: "0" }), false);
  assert.equal(wantsCompression({ DENO_SERVE_AUTOMATIC_COMPRESSION: "1" }), true);
  assert.equal(wantsCompression({ DENO_SERVE_AUTOMATIC_COMPRESSION: "true" }), true);
});
