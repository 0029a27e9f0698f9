// Packages' console output: stored (bounded) in SQLite and passed on to
// whoever follows a package's log.

import type { LogEntry, LogLevel, Store } from "../db/index.ts";

type Follower = (entry: LogEntry) => void;

export class LogHub {
  readonly #store: Store;
  readonly #followers = new Map<string, Set<Follower>>();

  constructor(store: Store) {
    this.#store = store;
  }

  append(pkg: string, level: LogLevel, message: string, ts = Date.now()): void {
    const entry = this.#store.logs.append(pkg, level, message, ts);
    for (const follower of this.#followers.get(pkg) ?? []) follower(entry);
  }

  tail(pkg: string, count: number): LogEntry[] {
    return this.#store.logs.tail(pkg, count);
  }

  /** Calls `follower` with each new line of `pkg`; returns the function that stops it. */
  follow(pkg: string, follower: Follower): () => void {
    const set = this.#followers.get(pkg) ?? new Set();
    set.add(follower);
    this.#followers.set(pkg, set);
    return () => {
      set.delete(follower);
      if (set.size === 0) this.#followers.delete(pkg);
    };
  }
}
