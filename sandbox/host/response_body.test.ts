// What the host takes from an isolate's body pulls: the chunks read ahead are handed out one by one, and
// anything but bytes (a runtime the package tampered with) fails the body instead of reaching the client.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { BodyPull } from "../isolate/core/bridge.ts";
import { SandboxFailure } from "../failure.ts";
import type { ChunkSource } from "../sandbox.ts";
import { responseBodyOf, type BodySource } from "./response_body.ts";

/** A body source answering `pulls` in turn, as an isolate would; records cancellations. */
function sourceOf(pulls: unknown[]): { source: BodySource; cancelled: string[] } {
  const cancelled: string[] = [];
  return {
    cancelled,
    source: {
      pull: async () => pulls.shift() as BodyPull,
      cancel: (_id, reason) => void cancelled.push(reason),
      probe: () => undefined,
      failed: (error) => (error instanceof SandboxFailure ? error : new SandboxFailure("uncaught-error", String(error))),
    },
  };
}

async function readAll(body: ChunkSource): Promise<number[][]> {
  const chunks: number[][] = [];
  for (let chunk = await body.read(); chunk !== null; chunk = await body.read()) chunks.push([...chunk]);
  return chunks;
}

test("chunks read ahead are handed out one per read, in order, then the end", async () => {
  let done = 0;
  const { source } = sourceOf([{ chunks: [new Uint8Array([1]), new Uint8Array([2, 3])] }, { chunk: new Uint8Array([4]) }, { done: true }]);
  const body = responseBodyOf({ streamId: 1 }, () => done++, source) as ChunkSource;
  assert.deepEqual(await readAll(body), [[1], [2, 3], [4]]);
  assert.equal(done, 1);
});

test("a pull that carries anything but bytes fails the body and cancels the stream", async () => {
  for (const hostile of [{ chunk: "text" }, { chunks: ["text"] }, { chunks: [] }, { chunks: "x" }, { chunks: [new Uint8Array([1]), 5] }]) {
    const { source, cancelled } = sourceOf([hostile]);
    const body = responseBodyOf({ streamId: 1 }, () => undefined, source) as ChunkSource;
    await assert.rejects(body.read(), (error: unknown) => error instanceof SandboxFailure && error.reason === "handler-error", JSON.stringify(hostile));
    assert.deepEqual(cancelled, ["invalid body chunk"]);
  }
});
