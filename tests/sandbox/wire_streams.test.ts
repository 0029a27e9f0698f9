// Bodies across the channel to the sandbox process: bounded in flight,
// cancellable from the reading side, failing (not hanging) when a side goes.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SandboxFailure, type ChunkSource } from "../../sandbox/index.ts";
import type { Wire } from "../../sandbox/process/wire.ts";
import { errorOfWire } from "../../sandbox/process/wire_port.ts";
import { WINDOW_BYTES, WINDOW_CHUNKS, WireStreams } from "../../sandbox/process/wire_streams.ts";

/** Two ends joined by an asynchronous link, as the IPC channel is; counts what crosses. */
function link() {
  const crossed: Wire[] = [];
  let a!: WireStreams;
  let b!: WireStreams;
  const deliver = (to: () => WireStreams) => (message: Wire) => {
    crossed.push(message);
    setImmediate(() => to().handle(message));
  };
  a = new WireStreams(deliver(() => b));
  b = new WireStreams(deliver(() => a));
  return { a, b, crossed };
}

/** An endless source of `size`-byte chunks that counts its reads and whether it was cancelled. */
function endless(size: number) {
  const state = { reads: 0, cancelled: undefined as string | undefined };
  const source: ChunkSource = {
    read: async () => {
      state.reads++;
      return new Uint8Array(size);
    },
    cancel: (reason) => void (state.cancelled = reason ?? ""),
  };
  return { source, state };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

function send(from: WireStreams, to: WireStreams, source: ChunkSource): ChunkSource {
  let received!: ChunkSource;
  from.send(source, (sid) => (received = to.receive(sid)));
  return received;
}

describe("bodies across the channel", () => {
  test("a sender stops at the window of chunks until the reader takes half of it", async () => {
    const { a, b, crossed } = link();
    const { source } = endless(10);
    const body = send(a, b, source);
    await settle();
    const chunks = () => crossed.filter((m) => m.k === "chunk").length;
    assert.equal(chunks(), WINDOW_CHUNKS);
    // Acknowledged per half window: reading one less than half sends nothing more.
    for (let i = 0; i < WINDOW_CHUNKS / 2 - 1; i++) assert.equal((await body.read())?.byteLength, 10);
    await settle();
    assert.equal(chunks(), WINDOW_CHUNKS);
    await body.read();
    await settle();
    assert.equal(chunks(), WINDOW_CHUNKS + WINDOW_CHUNKS / 2);
    body.cancel("done");
  });

  test("a sender stops at the window of bytes, but always sends one chunk", async () => {
    const { a, b, crossed } = link();
    const big = send(a, b, endless(WINDOW_BYTES / 2).source);
    const huge = send(a, b, endless(WINDOW_BYTES * 3).source);
    await settle();
    const chunksOf = (bytes: number) => crossed.filter((m) => m.k === "chunk" && m.chunk.byteLength === bytes).length;
    assert.equal(chunksOf(WINDOW_BYTES / 2), 2);
    assert.equal(chunksOf(WINDOW_BYTES * 3), 1);
    await big.read();
    await settle();
    assert.equal(chunksOf(WINDOW_BYTES / 2), 3, "half the bytes read: acknowledged, one more sent");
    big.cancel();
    huge.cancel();
  });

  test("cancelling on the reading side cancels the source and stops the sender", async () => {
    const { a, b, crossed } = link();
    const { source, state } = endless(10);
    const body = send(a, b, source);
    await body.read();
    body.cancel("client went away");
    await settle();
    assert.equal(state.cancelled, "client went away");
    const sent = crossed.filter((m) => m.k === "chunk").length;
    await settle();
    assert.equal(crossed.filter((m) => m.k === "chunk").length, sent, "nothing more is sent");
    assert.equal(await body.read(), null);
    assert.equal(a.size + b.size, 0, "both ends forgot the body");
  });

  test("the chunks before an error are read, then the error, with its reason", async () => {
    const { a, b } = link();
    let reads = 0;
    const body = send(a, b, {
      read: async () => {
        if (++reads <= 2) return new TextEncoder().encode(`chunk ${reads}`);
        throw new SandboxFailure("wall-time", "a body chunk took longer than timeoutMs");
      },
      cancel: () => {},
    });
    assert.equal(new TextDecoder().decode((await body.read())!), "chunk 1");
    assert.equal(new TextDecoder().decode((await body.read())!), "chunk 2");
    await assert.rejects(body.read(), (error: unknown) => error instanceof SandboxFailure && error.reason === "wall-time");
  });

  test("when the other side is gone a waiting read fails at once and the local source is cancelled", async () => {
    const { a, b } = link();
    const waiting = send(a, b, { read: () => new Promise(() => {}), cancel: () => {} });
    const { source, state } = endless(10);
    send(b, a, source);
    const read = waiting.read();
    b.failAll(new SandboxFailure("sandbox-crash", "the sandbox process was killed by SIGKILL"));
    await assert.rejects(read, /killed by SIGKILL/);
    assert.equal(state.cancelled, "the sandbox process was killed by SIGKILL");
  });

  test("chunks of a body nobody reads are refused, so the sender stops", async () => {
    const { a, crossed } = link();
    a.handle({ k: "chunk", sid: 41, chunk: new Uint8Array(1) });
    await settle();
    assert.deepEqual(crossed.at(-1), { k: "cancel", sid: 41, reason: "nobody reads this body" });
  });

  test("an error from the sandbox process is not believed beyond two strings", () => {
    const forged = errorOfWire({ reason: "root" as never, message: "x" });
    assert.ok(forged instanceof SandboxFailure);
    assert.equal(forged.reason, "uncaught-error");
    const odd = errorOfWire({ message: { toString: () => "pwned" } as never, name: 42 as never });
    assert.equal(odd.message, "the sandbox process sent an unreadable error");
    assert.equal(odd.name, "Error");
  });
});
