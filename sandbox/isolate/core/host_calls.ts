// Asynchronous host operations as messages: the isolate posts a call with an
// id, the host answers later by dispatching `resolve` with that id. (An
// isolated-vm callback cannot hand back a promise, and messages are what a
// sandbox process will speak anyway.)

import type { HostResult } from "./bridge.ts";

/** The raw host function: starts operation `op` and answers with `resolve(id, result)` later. */
export type CallStart = (id: number, op: string, args: unknown[]) => void;

export class HostCalls {
  readonly #start: CallStart;
  readonly #pending = new Map<number, (result: HostResult) => void>();
  #nextId = 1;

  constructor(start: CallStart) {
    this.#start = start;
  }

  call(op: string, args: unknown[]): Promise<HostResult> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.#start(id, op, args);
    });
  }

  resolve(id: number, result: HostResult): void {
    const resolve = this.#pending.get(id);
    this.#pending.delete(id);
    resolve?.(result);
  }
}
