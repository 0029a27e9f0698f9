// Response bodies the host reads from the isolate: each stream gets an id, the
// host pulls one chunk per message and may cancel. Chunks are copied out whole.

import type { ReadableStream, ReadableStreamDefaultReader } from "web-streams-polyfill";
import type { PullResult } from "../core/bridge.ts";
import { outcomeOf } from "../core/outcome.ts";

/** Copies a view so that only its own bytes cross, not the rest of its buffer. */
function ownBytes(chunk: Uint8Array): Uint8Array {
  return chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength ? chunk : chunk.slice();
}

export class BodyStreams {
  readonly #readers = new Map<number, ReadableStreamDefaultReader<Uint8Array>>();
  #nextId = 1;

  open(stream: ReadableStream<Uint8Array>): number {
    const id = this.#nextId++;
    this.#readers.set(id, stream.getReader());
    return id;
  }

  async pull(id: number): Promise<PullResult> {
    const reader = this.#readers.get(id);
    if (!reader) return { error: { name: "TypeError", message: `no body stream ${id}` } };
    try {
      const { done, value } = await reader.read();
      if (done) {
        this.#readers.delete(id);
        return { done: true };
      }
      if (!(value instanceof Uint8Array)) throw new TypeError("Response body chunks must be Uint8Array");
      return { chunk: ownBytes(value) };
    } catch (error) {
      this.#readers.delete(id);
      return { error: outcomeOf(error) };
    }
  }

  cancel(id: number, reason: string): void {
    const reader = this.#readers.get(id);
    this.#readers.delete(id);
    reader?.cancel(reason).catch(() => undefined);
  }
}
