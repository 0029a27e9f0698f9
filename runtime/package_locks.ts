// Per-package locks: operations on one package run one at a time; a waiter
// gives up after a bound with 409 `busy`, so nothing waits forever.

import { IsopodError } from "./errors.ts";

interface Waiter {
  grant: () => void;
}

export class PackageLocks {
  readonly #queues = new Map<string, Waiter[]>();
  readonly #waitMs: number;

  constructor(waitMs: number) {
    this.#waitMs = waitMs;
  }

  /** Runs `fn` holding the lock of `name`. */
  async run<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const release = await this.#acquire(name);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  #acquire(name: string): Promise<() => void> {
    const queue = this.#queues.get(name) ?? [];
    this.#queues.set(name, queue);
    const release = () => {
      queue.shift();
      if (queue.length === 0) this.#queues.delete(name);
      else queue[0]!.grant();
    };
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(timer);
          resolve(release);
        },
      };
      const timer = setTimeout(() => {
        queue.splice(queue.indexOf(waiter), 1);
        reject(
          new IsopodError("busy", `"${name}" is busy with another operation; gave up after ${this.#waitMs} ms`, {
            package: name,
          }),
        );
      }, this.#waitMs);
      queue.push(waiter);
      if (queue.length === 1) waiter.grant();
    });
  }

  /** Whether an operation holds or waits for the lock of `name`. */
  isBusy(name: string): boolean {
    return this.#queues.has(name);
  }
}
