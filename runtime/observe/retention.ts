// Keeps logs, statistics samples and the audit log within their bounds (by
// count, by age, and for logs by bytes): at boot and then at an interval.

import type { Store } from "../../db/index.ts";
import type { RetentionBound, RetentionConfig } from "../config.ts";

/** Rows deleted per statement; between chunks the event loop serves requests. */
const CHUNK = 5_000;
/** Chunks per table and run at most, so a run always ends (10 million rows). */
const MAX_CHUNKS = 2_000;

export interface RetentionRun {
  /** When the run started (ms since the epoch). */
  at: number;
  durationMs: number;
  /** Rows deleted in this run. */
  deleted: { logs: number; samples: number; audit: number };
}

const olderThan = (bound: RetentionBound, now: number) => (bound.maxAgeMs > 0 ? now - bound.maxAgeMs : undefined);

const yieldToRequests = () => new Promise<void>((resolve) => setImmediate(resolve));

export class Retention {
  readonly #store: Store;
  readonly #config: RetentionConfig;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<RetentionRun> | undefined;
  #stopped = false;
  #last: RetentionRun | null = null;

  constructor(store: Store, config: RetentionConfig) {
    this.#store = store;
    this.#config = config;
  }

  /** Runs at every interval until `stop`. */
  start(): void {
    if (this.#timer || this.#stopped) return;
    this.#timer = setInterval(() => void this.run().catch(() => undefined), this.#config.intervalMs);
    this.#timer.unref();
  }

  /** Applies every bound now; a run asked for while one is going joins it. */
  run(now = Date.now()): Promise<RetentionRun> {
    this.#running ??= this.#apply(now).finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #apply(now: number): Promise<RetentionRun> {
    const started = performance.now();
    const { logs, samples, audit } = this.#config;
    const deleted = {
      logs: await this.#drain((chunk) =>
        this.#store.logs.prune({ maxRows: logs.maxRows, maxBytes: logs.maxBytes, olderThan: olderThan(logs, now) }, chunk),
      ),
      samples: await this.#drain((chunk) =>
        this.#store.stats.prune({ maxRows: samples.maxRows, olderThan: olderThan(samples, now) }, chunk),
      ),
      audit: await this.#drain((chunk) =>
        this.#store.operations.prune({ maxRows: audit.maxRows, olderThan: olderThan(audit, now) }, chunk),
      ),
    };
    if (!this.#stopped && deleted.logs + deleted.samples + deleted.audit > 0) {
      this.#store.checkpoint();
    }
    this.#last = { at: now, durationMs: Math.round(performance.now() - started), deleted };
    return this.#last;
  }

  /** Deletes chunk after chunk until nothing is past the bound, yielding in between. */
  async #drain(step: (chunk: number) => number): Promise<number> {
    let total = 0;
    for (let i = 0; i < MAX_CHUNKS && !this.#stopped; i++) {
      const deleted = step(CHUNK);
      total += deleted;
      if (deleted === 0) break;
      await yieldToRequests();
    }
    return total;
  }

  /** Stops the interval and waits for a run in progress to end at its next chunk. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  /** The bounds, and what the last run did. */
  get info(): { config: RetentionConfig; lastRun: RetentionRun | null } {
    return { config: this.#config, lastRun: this.#last };
  }
}
