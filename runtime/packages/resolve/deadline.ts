// The time bound on one whole resolution, and the shorter one on each registry
// answer: signals for fetch, and the 422 that names the bound when it is the deadline that fired.

import { IsopodError } from "../../errors.ts";

export class Deadline {
  readonly #controller = new AbortController();
  readonly #timer: NodeJS.Timeout;
  readonly #timeoutMs: number;
  readonly #requestTimeoutMs: number;
  readonly #what: string;

  /** `what` names the resolution in the message: `resolving the dependencies of "@me/app"`. */
  constructor(what: string, timeoutMs: number, requestTimeoutMs: number) {
    this.#what = what;
    this.#timeoutMs = timeoutMs;
    this.#requestTimeoutMs = requestTimeoutMs;
    this.#timer = setTimeout(() => this.#controller.abort(), timeoutMs);
    this.#timer.unref();
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Aborts at the deadline, or when one answer takes longer than the request timeout. */
  requestSignal(): AbortSignal {
    return AbortSignal.any([this.#controller.signal, AbortSignal.timeout(this.#requestTimeoutMs)]);
  }

  /** Throws the 422 when the deadline has passed. */
  check(): void {
    if (this.#controller.signal.aborted) {
      throw new IsopodError("invalid_package", `${this.#what} took longer than ${this.#timeoutMs} ms (ISOPOD_DEPS_TIMEOUT_MS)`, { bound: "timeoutMs" });
    }
  }

  dispose(): void {
    clearTimeout(this.#timer);
  }
}
