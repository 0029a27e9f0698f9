// The channel to and from the sandbox process: a socket pair (the child's
// fd 3) carrying batches of messages as length-prefixed MessagePack frames.
// It costs a third less per round trip than Node's "advanced" IPC (docs/decisions.md).

import type { Socket } from "node:net";
import { Packr, RESERVE_START_SPACE, Unpackr } from "msgpackr";
import type { Wire } from "./wire.ts";

/** A frame larger than this is a broken (or hostile) peer, not a message. */
export const MAX_FRAME_BYTES = 512 * 1024 * 1024;

// Plain maps and arrays; a Uint8Array crosses as bin. It comes back copied out of the frame:
// a view into a larger buffer would keep the frame alive, and isolated-vm copies a view's
// whole buffer into an isolate (measured: twice the cost of the copy made here).
const packr = new Packr({ useRecords: false });
const unpackr = new Unpackr({ useRecords: false, copyBuffers: true });

export class WireChannel {
  readonly #socket: Socket;
  readonly #onBatch: (batch: Wire[]) => void;
  readonly #onBroken: (why: string) => void;
  /** What has arrived of the next frame(s), not parsed yet. */
  #parts: Buffer[] = [];
  #size = 0;

  constructor(socket: Socket, handlers: { batch: (batch: Wire[]) => void; broken: (why: string) => void }) {
    this.#socket = socket;
    this.#onBatch = handlers.batch;
    this.#onBroken = handlers.broken;
    socket.on("data", (chunk: Buffer) => this.#read(chunk));
  }

  /** Sends one batch; `done` runs once it has been handed to the operating system (or the socket is gone). */
  write(batch: Wire[], done: () => void): void {
    if (this.#socket.destroyed || !this.#socket.writable) return done();
    // Packed after 4 reserved bytes for the length: one buffer, one write, nothing copied.
    const frame = packr.pack(batch, RESERVE_START_SPACE | 4);
    frame.writeUInt32BE(frame.length - 4, 0);
    this.#socket.write(frame, () => done());
  }

  #read(chunk: Buffer): void {
    this.#parts.push(chunk);
    this.#size += chunk.length;
    while (this.#size >= 4) {
      const head = this.#parts[0]!.length >= 4 ? this.#parts[0]! : this.#join();
      const length = head.readUInt32BE(0);
      if (length > MAX_FRAME_BYTES) {
        this.#parts = [];
        this.#size = 0;
        return this.#onBroken(`the sandbox channel carried a frame of ${length} bytes`);
      }
      if (this.#size < 4 + length) return;
      const data = this.#join();
      const frame = data.subarray(4, 4 + length);
      const rest = data.subarray(4 + length);
      this.#parts = rest.length > 0 ? [rest] : [];
      this.#size = rest.length;
      let batch: unknown;
      try {
        batch = unpackr.unpack(frame);
      } catch (error) {
        return this.#onBroken(`the sandbox channel carried an unreadable frame: ${(error as Error).message}`);
      }
      if (Array.isArray(batch)) this.#onBatch(batch as Wire[]);
    }
  }

  /** Everything received so far as one buffer (copied only when a frame spans several reads). */
  #join(): Buffer {
    if (this.#parts.length > 1) this.#parts = [Buffer.concat(this.#parts, this.#size)];
    return this.#parts[0]!;
  }

  close(): void {
    this.#socket.destroy();
  }
}
