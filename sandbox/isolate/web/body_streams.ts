// Response bodies the host reads from the isolate: each stream gets an id and
// reads ahead a bounded amount, and each pull of the host takes all the chunks read.

import type { ReadableStream, ReadableStreamDefaultReader } from "web-streams-polyfill";
import type { BodyPull, Pending, PullResult } from "../core/bridge.ts";
import { outcomeOf } from "../core/outcome.ts";

/**
 * How far a stream is read before the host asks for it. Chunks a package
 * enqueues at once then cross in one call rather than one call each (a
 * 1 MiB body of 64 KiB chunks in 4 calls, not 17), and a package that
 * streams faster than its client reads is held back at this much.
 */
export const READ_AHEAD_BYTES = 256 * 1024;

const PENDING: Pending = Object.freeze({ pending: true });

/** Copies a view so that only its own bytes cross, not the rest of its buffer. */
function ownBytes(chunk: Uint8Array): Uint8Array {
  return chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength ? chunk : chunk.slice();
}

class BodyStream {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  #chunks: Uint8Array[] = [];
  #bytes = 0;
  /** How the stream ended (done, or an error), once it has; given out after the last chunk. */
  #end: PullResult | null = null;
  #reading = false;
  #waiters: (() => void)[] = [];

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }

  /**
   * What is read so far, all of it (the chunks as they are: a chunk the package enqueued several times
   * crosses once), or the end; null while there is nothing yet (reading goes on).
   */
  take(): BodyPull | null {
    if (this.#bytes > 0) {
      const chunks = this.#chunks;
      this.#chunks = [];
      this.#bytes = 0;
      this.#fill();
      return chunks.length === 1 ? { chunk: chunks[0]! } : { chunks };
    }
    if (this.#end) return this.#end;
    this.#fill();
    return null;
  }

  /** `take`, waiting for a chunk or the end if there is none yet. */
  async next(): Promise<BodyPull> {
    for (;;) {
      const taken = this.take();
      if (taken) return taken;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  cancel(reason: string): void {
    this.#end ??= { error: { name: "AbortError", message: reason } };
    this.#reader.cancel(reason).catch(() => undefined);
    this.#wake();
  }

  /** Reads on while there is room; each read that settles at once (in the same microtasks) is followed by the next. */
  #fill(): void {
    if (this.#reading || this.#end || this.#bytes >= READ_AHEAD_BYTES) return;
    this.#reading = true;
    this.#reader.read().then(
      ({ done, value }) => {
        this.#reading = false;
        if (done) this.#end = { done: true };
        else if (!(value instanceof Uint8Array)) this.#fail(new TypeError("Response body chunks must be Uint8Array"));
        else if (value.byteLength > 0) {
          this.#chunks.push(ownBytes(value));
          this.#bytes += value.byteLength;
        }
        this.#wake();
        this.#fill();
      },
      (error: unknown) => {
        this.#reading = false;
        this.#fail(error);
        this.#wake();
      },
    );
  }

  #fail(error: unknown): void {
    this.#end = { error: outcomeOf(error) };
    this.#reader.cancel(String(error)).catch(() => undefined);
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

export class BodyStreams {
  readonly #streams = new Map<number, BodyStream>();
  #nextId = 1;

  open(stream: ReadableStream<Uint8Array>): number {
    const id = this.#nextId++;
    this.#streams.set(id, new BodyStream(stream));
    return id;
  }

  /** The next chunk (all that is read ahead), the end, or an error; waits for one. */
  async pull(id: number): Promise<BodyPull> {
    const stream = this.#streams.get(id);
    if (!stream) return { error: { name: "TypeError", message: `no body stream ${id}` } };
    return this.#settled(id, await stream.next());
  }

  /** The same without waiting: `pending` when nothing is read yet (what settles in this call's microtasks is there for the next). */
  pullNow(id: number): BodyPull | Pending {
    const stream = this.#streams.get(id);
    if (!stream) return { error: { name: "TypeError", message: `no body stream ${id}` } };
    const taken = stream.take();
    return taken ? this.#settled(id, taken) : PENDING;
  }

  cancel(id: number, reason: string): void {
    const stream = this.#streams.get(id);
    this.#streams.delete(id);
    stream?.cancel(reason);
  }

  #settled(id: number, result: BodyPull): BodyPull {
    if (!("chunk" in result || "chunks" in result)) this.#streams.delete(id);
    return result;
  }
}
