// One end of the channel to or from the sandbox process: messages posted in
// one turn of the event loop leave as one batch (one IPC write, one parse).

import { SandboxFailure } from "../failure.ts";
import type { FailureReason } from "../sandbox.ts";
import type { Wire, WireError } from "./wire.ts";

const REASONS = new Set<FailureReason>([
  "uncaught-error",
  "wall-time",
  "cpu-time",
  "memory",
  "invalid-module",
  "disposed",
  "handler-error",
  "no-handler",
  "sandbox-crash",
]);

/** Writes one batch; `done` runs once it has left this process. */
export type BatchWriter = (batch: Wire[], done: () => void) => void;

export class WirePort {
  readonly #write: BatchWriter;
  #queue: Wire[] = [];
  #scheduled = false;
  #unsent = 0;

  constructor(write: BatchWriter) {
    this.#write = write;
  }

  post(message: Wire): void {
    this.#queue.push(message);
    if (this.#scheduled) return;
    this.#scheduled = true;
    // After the I/O of this turn: answers to requests that arrived together leave together.
    setImmediate(() => this.flush());
  }

  /** Sends what is queued now; `done` runs once it has left (at once when nothing was queued). */
  flush(done?: () => void): void {
    this.#scheduled = false;
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0) {
      done?.();
      return;
    }
    this.#unsent++;
    this.#write(batch, () => {
      this.#unsent--;
      done?.();
    });
  }

  /** Batches written but not yet taken by the channel: how backed up the other side is. */
  get unsent(): number {
    return this.#unsent;
  }

  /** Drops what is queued (the other side is gone). */
  clear(): void {
    this.#queue = [];
  }
}

/** An error as it crosses the channel. */
export function wireErrorOf(error: unknown): WireError {
  if (error instanceof SandboxFailure) return { reason: error.reason, message: error.message };
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { message: String(error) };
}

/**
 * The error back from its wire form. The sandbox process runs untrusted code,
 * so an unknown reason is not believed, and nothing but two strings is read.
 */
export function errorOfWire(wire: WireError | undefined): Error {
  const message = typeof wire?.message === "string" ? wire.message : "the sandbox process sent an unreadable error";
  if (wire?.reason !== undefined) {
    return new SandboxFailure(REASONS.has(wire.reason) ? wire.reason : "uncaught-error", message);
  }
  const error = new Error(message);
  if (typeof wire?.name === "string") error.name = wire.name;
  return error;
}
