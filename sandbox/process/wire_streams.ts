// Bodies across the channel to the sandbox process, both ways: the sending
// side pumps a ChunkSource into `chunk` messages while the receiving side
// acknowledges what it consumed, so each body has a bounded amount in flight.

import type { ChunkSource } from "../sandbox.ts";
import type { Wire } from "./wire.ts";
import { errorOfWire, wireErrorOf } from "./wire_port.ts";

/** Chunks, and bytes, sent but not yet consumed on the other side; at least one chunk always goes. */
export const WINDOW_CHUNKS = 16;
export const WINDOW_BYTES = 1024 * 1024;

type Post = (message: Wire) => void;

/** Pumps a local body to the other side. */
class ChunkSender {
  readonly #sid: number;
  readonly #source: ChunkSource;
  readonly #post: Post;
  readonly #done: () => void;
  #chunks = 0;
  #bytes = 0;
  #stopped = false;
  #wake: (() => void) | undefined;

  constructor(sid: number, source: ChunkSource, post: Post, done: () => void) {
    this.#sid = sid;
    this.#source = source;
    this.#post = post;
    this.#done = done;
  }

  async pump(): Promise<void> {
    while (!this.#stopped) {
      if (this.#chunks >= WINDOW_CHUNKS || this.#bytes >= WINDOW_BYTES) {
        await new Promise<void>((resolve) => (this.#wake = resolve));
        continue;
      }
      let chunk: Uint8Array | null;
      try {
        chunk = await this.#source.read();
      } catch (error) {
        this.#finish({ k: "end", sid: this.#sid, error: wireErrorOf(error) });
        return;
      }
      if (this.#stopped) return;
      if (chunk === null) {
        this.#finish({ k: "end", sid: this.#sid });
        return;
      }
      this.#chunks++;
      this.#bytes += chunk.byteLength;
      this.#post({ k: "chunk", sid: this.#sid, chunk });
    }
  }

  #finish(message: Wire): void {
    this.#stopped = true;
    this.#post(message);
    this.#done();
  }

  ack(chunks: number, bytes: number): void {
    this.#chunks = Math.max(0, this.#chunks - chunks);
    this.#bytes = Math.max(0, this.#bytes - bytes);
    this.#resume();
  }

  /** The other side gave up on the body (or is gone): the local source is cancelled. */
  cancel(reason: string): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#source.cancel(reason);
    this.#done();
    this.#resume();
  }

  #resume(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

/** A body arriving from the other side, read as a ChunkSource. */
class ChunkReceiver implements ChunkSource {
  readonly #sid: number;
  readonly #post: Post;
  readonly #done: () => void;
  readonly #queue: Uint8Array[] = [];
  #ended = false;
  #error: Error | undefined;
  /** Consumed but not yet acknowledged: acknowledgements go out per half window, not per chunk. */
  #unacked = { chunks: 0, bytes: 0 };
  #waiting: { resolve: (chunk: Uint8Array | null) => void; reject: (error: Error) => void } | undefined;

  constructor(sid: number, post: Post, done: () => void) {
    this.#sid = sid;
    this.#post = post;
    this.#done = done;
  }

  read(): Promise<Uint8Array | null> {
    const chunk = this.#queue.shift();
    if (chunk !== undefined) {
      this.#consumed(chunk);
      return Promise.resolve(chunk);
    }
    if (this.#error) return Promise.reject(this.#error);
    if (this.#ended) return Promise.resolve(null);
    if (this.#waiting) return Promise.reject(new TypeError("a body chunk is already being read"));
    return new Promise((resolve, reject) => (this.#waiting = { resolve, reject }));
  }

  cancel(reason?: string): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#queue.length = 0;
    this.#post({ k: "cancel", sid: this.#sid, reason: reason ?? "cancelled" });
    this.#done();
    this.#settle(null);
  }

  push(chunk: Uint8Array): void {
    if (this.#ended) return;
    if (!this.#waiting) {
      this.#queue.push(chunk);
      return;
    }
    this.#consumed(chunk);
    this.#settle(chunk);
  }

  /**
   * Acknowledges once half a window is consumed: the sender, stopped at a full
   * window, always hears back, and a body that fits in half a window costs no
   * acknowledgement at all (each message is a wake-up of the other process).
   */
  #consumed(chunk: Uint8Array): void {
    this.#unacked.chunks++;
    this.#unacked.bytes += chunk.byteLength;
    if (this.#unacked.chunks < WINDOW_CHUNKS / 2 && this.#unacked.bytes < WINDOW_BYTES / 2) return;
    this.#post({ k: "ack", sid: this.#sid, ...this.#unacked });
    this.#unacked = { chunks: 0, bytes: 0 };
  }

  /** The body ended on the other side, well or with an error; queued chunks are still read first. */
  end(error?: Error): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    this.#done();
    if (error && this.#waiting) {
      const { reject } = this.#waiting;
      this.#waiting = undefined;
      reject(error);
    } else {
      this.#settle(null);
    }
  }

  #settle(chunk: Uint8Array | null): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.resolve(chunk);
  }
}

/** The bodies in flight at one end of the channel: the ones it sends and the ones it receives. */
export class WireStreams {
  readonly #post: Post;
  readonly #senders = new Map<number, ChunkSender>();
  readonly #receivers = new Map<number, ChunkReceiver>();
  #nextId = 1;

  constructor(post: Post) {
    this.#post = post;
  }

  /** Pumps `source` to the other side, once `announce` has posted the message that carries its id. */
  send(source: ChunkSource, announce: (sid: number) => void): void {
    const sid = this.#nextId++;
    const sender = new ChunkSender(sid, source, this.#post, () => this.#senders.delete(sid));
    this.#senders.set(sid, sender);
    announce(sid);
    void sender.pump();
  }

  /** The body the other side announced under `sid`. */
  receive(sid: number): ChunkSource {
    const receiver = new ChunkReceiver(sid, this.#post, () => this.#receivers.delete(sid));
    this.#receivers.set(sid, receiver);
    return receiver;
  }

  /** Refuses a body nobody will read (its call was already settled). */
  refuse(sid: number): void {
    this.#post({ k: "cancel", sid, reason: "nobody reads this body" });
  }

  /** Handles a stream message; false when `message` is not one. */
  handle(message: Wire): boolean {
    switch (message.k) {
      case "chunk": {
        const receiver = this.#receivers.get(message.sid);
        if (receiver && message.chunk instanceof Uint8Array) receiver.push(message.chunk);
        else if (!receiver) this.refuse(message.sid);
        return true;
      }
      case "end":
        this.#receivers.get(message.sid)?.end(message.error === undefined ? undefined : errorOfWire(message.error));
        return true;
      case "ack":
        this.#senders.get(message.sid)?.ack(Number(message.chunks) || 0, Number(message.bytes) || 0);
        return true;
      case "cancel":
        this.#senders.get(message.sid)?.cancel(String(message.reason));
        return true;
      default:
        return false;
    }
  }

  /** The other side is gone: bodies it sent fail with `error`, bodies sent to it are cancelled. */
  failAll(error: Error): void {
    for (const receiver of [...this.#receivers.values()]) receiver.end(error);
    for (const sender of [...this.#senders.values()]) sender.cancel(error.message);
  }

  get size(): number {
    return this.#senders.size + this.#receivers.size;
  }
}
