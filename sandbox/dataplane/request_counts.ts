// Requests the data plane answered, by package and status, batched so the
// control plane's per-package counters see them without a message per request.

/** `[package, status, count]` triples since the last batch. */
export type RequestCounts = [string, number, number][];

/** How often a batch leaves, at most. */
export const COUNT_BATCH_MS = 200;

export class RequestCounter {
  readonly #pending = new Map<string, Map<number, number>>();
  readonly #flush: (counts: RequestCounts) => void;
  #timer: NodeJS.Timeout | undefined;

  constructor(flush: (counts: RequestCounts) => void) {
    this.#flush = flush;
  }

  count(name: string, status: number): void {
    let byStatus = this.#pending.get(name);
    if (!byStatus) this.#pending.set(name, (byStatus = new Map()));
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    this.#timer ??= setTimeout(() => this.flush(), COUNT_BATCH_MS).unref();
  }

  /** Sends what is pending now (the timer's work; also at close). */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.size === 0) return;
    const counts: RequestCounts = [];
    for (const [name, byStatus] of this.#pending) for (const [status, n] of byStatus) counts.push([name, status, n]);
    this.#pending.clear();
    this.#flush(counts);
  }
}
