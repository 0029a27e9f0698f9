// AbortController and AbortSignal, written by hand on event-target-shim's
// EventTarget (the one package that has them lacks `reason`, `timeout` and `any`).

import { Event, EventTarget } from "event-target-shim";
import { DOMException } from "./dom_exception.ts";

const CREATE = Symbol("create");
type Listener = (() => void) | null;

export class AbortSignal extends EventTarget {
  #aborted = false;
  #reason: unknown = undefined;
  #onabort: Listener = null;

  constructor(key?: symbol) {
    if (key !== CREATE) throw new TypeError("Illegal constructor");
    super();
  }

  static [CREATE](): AbortSignal {
    return new AbortSignal(CREATE);
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  get onabort(): Listener {
    return this.#onabort;
  }

  set onabort(listener: Listener) {
    if (this.#onabort) this.removeEventListener("abort", this.#onabort);
    this.#onabort = typeof listener === "function" ? listener : null;
    if (this.#onabort) this.addEventListener("abort", this.#onabort);
  }

  throwIfAborted(): void {
    if (this.#aborted) throw this.#reason;
  }

  /** Marks the signal aborted and fires `abort` once. */
  static signalAbort(signal: AbortSignal, reason: unknown): void {
    if (signal.#aborted) return;
    signal.#aborted = true;
    signal.#reason = reason === undefined ? new DOMException("The signal has been aborted", "AbortError") : reason;
    signal.dispatchEvent(new Event("abort"));
  }

  static abort(reason?: unknown): AbortSignal {
    const signal = AbortSignal[CREATE]();
    AbortSignal.signalAbort(signal, reason);
    return signal;
  }

  static timeout(ms: number): AbortSignal {
    const delay = Number(ms);
    if (!Number.isFinite(delay) || delay < 0) throw new TypeError(`AbortSignal.timeout: ${ms} is not a valid delay`);
    const signal = AbortSignal[CREATE]();
    setTimeout(() => AbortSignal.signalAbort(signal, new DOMException("The operation was aborted due to timeout", "TimeoutError")), delay);
    return signal;
  }

  static any(signals: Iterable<AbortSignal>): AbortSignal {
    const list = [...signals];
    const signal = AbortSignal[CREATE]();
    const done = list.find((each) => each.aborted);
    if (done) {
      AbortSignal.signalAbort(signal, done.reason);
      return signal;
    }
    for (const each of list) {
      each.addEventListener("abort", () => AbortSignal.signalAbort(signal, each.reason), { once: true });
    }
    return signal;
  }
}

Object.defineProperty(AbortSignal.prototype, Symbol.toStringTag, { value: "AbortSignal", configurable: true });

export class AbortController {
  readonly #signal = AbortSignal[CREATE]();

  get signal(): AbortSignal {
    return this.#signal;
  }

  abort(reason?: unknown): void {
    AbortSignal.signalAbort(this.#signal, reason);
  }
}

Object.defineProperty(AbortController.prototype, Symbol.toStringTag, { value: "AbortController", configurable: true });
