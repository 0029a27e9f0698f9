// Per-package locks: operations on one package run one at a time, packages
// that share no lock run in parallel, and a waiter gives up with 409 `busy`.

import { IsopodError } from "../errors.ts";

type Release = () => void;

interface Waiter {
  grant: () => void;
}

export class PackageLocks {
  readonly #queues = new Map<string, Waiter[]>();
  readonly #waitMs: number;

  /** `waitMs`: how long an operation waits for all its locks together before `busy`. */
  constructor(waitMs: number) {
    this.#waitMs = waitMs;
  }

  /** Runs `fn` holding the lock of `name`. */
  run<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.runAll([name], fn);
  }

  /**
   * Runs `fn` holding the locks of all `names`. They are taken in sorted
   * order, so two operations over overlapping sets cannot deadlock.
   */
  async runAll<T>(names: Iterable<string>, fn: () => Promise<T>): Promise<T> {
    const release = await this.acquireAll(names);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /**
   * Runs `fn` holding the locks of `scope()`, a set that depends on state that
   * may change while the operation waits (the dependency graph). Once the locks
   * are held the scope is computed again; if it grew, they are taken again, up
   * to `attempts` times, then `busy`.
   */
  async runScoped<T>(scope: () => Set<string>, fn: () => Promise<T>, attempts = 3): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const wanted = scope();
      const release = await this.acquireAll(wanted);
      try {
        if ([...scope()].every((name) => wanted.has(name))) return await fn();
      } finally {
        release();
      }
      if (attempt >= attempts) {
        throw new IsopodError("busy", "the packages involved kept changing while this operation waited; try again");
      }
    }
  }

  /** Takes the locks of all `names` within one wait bound; returns the function that releases them. */
  async acquireAll(names: Iterable<string>): Promise<Release> {
    const deadline = Date.now() + this.#waitMs;
    const held: Release[] = [];
    const releaseAll = () => {
      for (const release of held.splice(0).reverse()) release();
    };
    try {
      for (const name of [...new Set(names)].sort()) held.push(await this.#acquire(name, deadline));
    } catch (error) {
      releaseAll();
      throw error;
    }
    return releaseAll;
  }

  #acquire(name: string, deadline: number): Promise<Release> {
    const queue = this.#queues.get(name) ?? [];
    this.#queues.set(name, queue);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
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
        if (queue.length === 0) this.#queues.delete(name);
        reject(
          new IsopodError("busy", `"${name}" is busy with another operation; gave up after ${this.#waitMs} ms`, {
            package: name,
          }),
        );
      }, Math.max(0, deadline - Date.now()));
      queue.push(waiter);
      if (queue.length === 1) waiter.grant();
    });
  }

  /** Whether an operation holds or waits for the lock of `name`. */
  isBusy(name: string): boolean {
    return this.#queues.has(name);
  }
}
