// Writes a statistics sample of every package (and registry resource) to
// SQLite at an interval, for history that outlives the host process.

import type { Store } from "../../db/index.ts";
import type { StatsCollector } from "./stats_collector.ts";
import type { StatsCounters } from "./stats_counters.ts";

export interface SamplerInfo {
  /** 0 when sampling is off. */
  intervalMs: number;
  /** When the last sample was written (ms since the epoch), or null. */
  lastSampleAt: number | null;
  /** Samples taken since the host started (one per tick, covering every package). */
  samples: number;
}

export class StatsSampler {
  readonly #collector: StatsCollector;
  readonly #store: Store;
  readonly #counters: StatsCounters;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  #lastSampleAt: number | null = null;
  #samples = 0;

  constructor(collector: StatsCollector, store: Store, counters: StatsCounters, intervalMs: number) {
    this.#collector = collector;
    this.#store = store;
    this.#counters = counters;
    this.#intervalMs = intervalMs;
  }

  /** Samples every interval until `stop`; an interval of 0 does nothing. */
  start(): void {
    if (this.#intervalMs <= 0 || this.#timer || this.#stopped) return;
    this.#timer = setInterval(() => void this.sample().catch(() => undefined), this.#intervalMs);
    this.#timer.unref();
  }

  /** Takes one sample now; a tick that comes while one is still being taken joins it. */
  sample(): Promise<void> {
    this.#running ??= this.#take().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #take(): Promise<void> {
    if (this.#stopped) return;
    const snapshot = await this.#collector.collect();
    if (this.#stopped) return; // the store may be closed by now
    const { at } = snapshot;
    this.#store.stats.recordPackages(
      snapshot.packages.map((stats) => ({
        at,
        package: stats.name,
        state: stats.state,
        isolates: stats.isolates,
        cpuMs: stats.cpuMs,
        heapUsedBytes: stats.heapUsedBytes,
        heapLimitBytes: stats.heapLimitBytes,
        requests: stats.requests,
        errors: stats.errors,
        restarts: stats.restarts,
        failures: stats.failures,
        uptimeMs: stats.uptimeMs,
        logDropped: stats.logDropped,
      })),
    );
    this.#store.stats.recordResources(snapshot.resources.map((stats) => ({ at, ...stats })));
    this.#counters.retain(new Set(snapshot.packages.map((stats) => stats.name)));
    this.#lastSampleAt = at;
    this.#samples += 1;
  }

  /** Stops the interval and waits for a sample in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  get info(): SamplerInfo {
    return { intervalMs: this.#intervalMs, lastSampleAt: this.#lastSampleAt, samples: this.#samples };
  }
}
