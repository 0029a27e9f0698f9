// The progress of one operation, carried with it (AsyncLocalStorage) so that each
// step reports with one call, from any depth, and nothing is threaded through the calls between.

import { AsyncLocalStorage } from "node:async_hooks";
import { progressKey, type ProgressEvent } from "../common/progress_event.ts";

export type ProgressListener = (event: ProgressEvent) => void;

/** Updates of one step closer together than this are folded into the latest. */
export const PROGRESS_INTERVAL_MS = 200;

/** Passes events on: a new step at once, updates of the same step at most every interval, the latest never lost. */
class Reporter {
  readonly #listener: ProgressListener;
  #lastKey: string | undefined;
  #lastAt = 0;
  #held: ProgressEvent | undefined;
  #closed = false;

  constructor(listener: ProgressListener) {
    this.#listener = listener;
  }

  report(event: ProgressEvent, now = Date.now()): void {
    if (this.#closed) return;
    const key = progressKey(event);
    if (key === this.#lastKey && now - this.#lastAt < PROGRESS_INTERVAL_MS) {
      this.#held = event;
      return;
    }
    this.flush();
    this.#emit(event, key, now);
  }

  /** Sends the update held back, if any. */
  flush(): void {
    const held = this.#held;
    this.#held = undefined;
    if (held) this.#emit(held, progressKey(held), Date.now());
  }

  /** Flushes, then ignores whatever the operation's leftovers (timers, restarts) report later. */
  close(): void {
    this.flush();
    this.#closed = true;
  }

  #emit(event: ProgressEvent, key: string, now: number): void {
    this.#lastKey = key;
    this.#lastAt = now;
    try {
      this.#listener(event);
    } catch (error) {
      // A listener's failure (a client gone) must never fail the operation it watches.
      console.error("isopod: a progress listener failed:", error);
    }
  }
}

const current = new AsyncLocalStorage<Reporter>();

/**
 * Runs `work` with `listener` receiving the steps it reports; the last update is delivered before the returned promise settles.
 *
 * @example
 * await withProgress((event) => console.log(event.step), () => manager.add({ path }, actor));
 */
export async function withProgress<T>(listener: ProgressListener, work: () => Promise<T>): Promise<T> {
  const reporter = new Reporter(listener);
  try {
    return await current.run(reporter, work);
  } finally {
    reporter.close();
  }
}

/** Reports a step of the operation under way; outside `withProgress`, nothing happens. */
export function reportProgress(event: ProgressEvent): void {
  current.getStore()?.report(event);
}
