// The abort signal of a request on the data plane: it fires when the client goes
// away before its answer is written. A few fields, where Node's AbortSignal is an EventTarget.

import type { AbortSource } from "../sandbox.ts";

export class ClientGone implements AbortSource {
  #aborted = false;
  #listeners: Array<() => void> = [];

  get aborted(): boolean {
    return this.#aborted;
  }

  addEventListener(_type: "abort", listener: () => void): void {
    if (!this.#aborted) this.#listeners.push(listener);
  }

  removeEventListener(_type: "abort", listener: () => void): void {
    const at = this.#listeners.indexOf(listener);
    if (at !== -1) this.#listeners.splice(at, 1);
  }

  /** Fires each listener once (they are all `once`, as the sandbox adds them). */
  abort(): void {
    if (this.#aborted) return;
    this.#aborted = true;
    const listeners = this.#listeners;
    this.#listeners = [];
    for (const listener of listeners) listener();
  }
}
