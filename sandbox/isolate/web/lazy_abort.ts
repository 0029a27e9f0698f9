// A received request's abort signal, made on first access: most handlers never
// read it, and an AbortController with its EventTarget costs more than the rest of the request.

import { AbortController, type AbortSignal } from "./abort.ts";

export class LazyAbort {
  #controller: AbortController | null = null;
  #aborted = false;

  get signal(): AbortSignal {
    if (this.#controller === null) {
      this.#controller = new AbortController();
      // Aborted before anyone looked: the signal starts aborted (no listener can have missed the event).
      if (this.#aborted) this.#controller.abort();
    }
    return this.#controller.signal;
  }

  abort(): void {
    if (this.#controller === null) this.#aborted = true;
    else this.#controller.abort();
  }
}
