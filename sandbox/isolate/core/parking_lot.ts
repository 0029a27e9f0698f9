// What a call on the host's thread could not answer at once (a handler's
// promise, a body chunk), kept for the host's next call to take or wait for.

import type { Pending } from "./bridge.ts";

const PENDING: Pending = Object.freeze({ pending: true });

/** A request's outcome or a body chunk that was not ready when the host's call returned. */
class Parked<T> {
  readonly promise: Promise<T>;
  settled: T | null = null;

  constructor(promise: Promise<T>) {
    this.promise = promise;
    void promise.then((value) => (this.settled = value));
  }
}

/** Calls the host makes on its own thread park what is not ready; it takes it at once (settled in the call's microtasks) or waits. */
export class ParkingLot<T> {
  readonly #parked = new Map<number, Parked<T>>();

  park(id: number, value: T | Promise<T>): T | Pending {
    if (!(value instanceof Promise)) return value;
    this.#parked.set(id, new Parked(value));
    return PENDING;
  }

  take(id: number): T | Pending {
    const settled = this.#parked.get(id)?.settled;
    if (settled === null || settled === undefined) return PENDING;
    this.#parked.delete(id);
    return settled;
  }

  wait(id: number, missing: T): Promise<T> {
    const parked = this.#parked.get(id);
    this.#parked.delete(id);
    return parked ? parked.promise : Promise.resolve(missing);
  }
}
