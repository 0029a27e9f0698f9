// CustomEvent (DOM standard): an Event that carries a `detail`, over
// event-target-shim's Event.

import { Event } from "event-target-shim";

export class CustomEvent extends Event {
  readonly #detail: unknown;

  constructor(type: string, init: { bubbles?: boolean; cancelable?: boolean; composed?: boolean; detail?: unknown } = {}) {
    if (arguments.length === 0) throw new TypeError("Failed to construct 'CustomEvent': 1 argument required, but only 0 present.");
    super(type, init);
    this.#detail = init?.detail ?? null;
  }

  get detail(): unknown {
    return this.#detail;
  }
}

Object.defineProperty(CustomEvent.prototype, Symbol.toStringTag, { value: "CustomEvent", configurable: true });
