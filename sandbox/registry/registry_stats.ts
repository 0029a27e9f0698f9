// Per-resource counters of the registry: calls, errors, timeouts, and the
// latency of the latest calls for percentiles. Kept in memory, by resource.

/** Latencies kept per resource for percentiles: the latest calls only. */
const WINDOW = 1024;
/** Resources whose counters are kept; past it, those of withdrawn resources are forgotten first. */
const MAX_RESOURCES = 10_000;

export interface ResourceFigures {
  calls: number;
  /** Calls that failed, for any reason: timeouts, refusals and the provider's own errors. */
  errors: number;
  timeouts: number;
  /** Call latency percentiles in ms over the latest calls; null before the first call. */
  p50Ms: number | null;
  p99Ms: number | null;
}

class Counters {
  calls = 0;
  errors = 0;
  timeouts = 0;
  readonly #latencies = new Float64Array(WINDOW);
  #recorded = 0;
  /** Percentiles computed since the last call, so that a list of many idle resources sorts nothing. */
  #cached: ResourceFigures | undefined;

  record(ms: number | null, outcome: "ok" | "error" | "timeout"): void {
    this.calls++;
    if (outcome !== "ok") this.errors++;
    if (outcome === "timeout") this.timeouts++;
    if (ms !== null) this.#latencies[this.#recorded++ % WINDOW] = ms;
    this.#cached = undefined;
  }

  figures(): ResourceFigures {
    this.#cached ??= this.#compute();
    return this.#cached;
  }

  #compute(): ResourceFigures {
    const kept = this.#latencies.slice(0, Math.min(this.#recorded, WINDOW)).sort();
    const at = (p: number) => (kept.length === 0 ? null : kept[Math.min(kept.length - 1, Math.floor(p * kept.length))]!);
    return { calls: this.calls, errors: this.errors, timeouts: this.timeouts, p50Ms: at(0.5), p99Ms: at(0.99) };
  }
}

export class RegistryStats {
  readonly #byResource = new Map<string, Counters>();
  readonly #isProvided: (resource: string) => boolean;

  /** `isProvided` tells which resources exist now: their counters are kept over those of withdrawn ones. */
  constructor(isProvided: (resource: string) => boolean) {
    this.#isProvided = isProvided;
  }

  /** Counts one finished call to `resource`, which took `ms` (null: refused before it reached the provider, no latency). */
  record(resource: string, ms: number | null, outcome: "ok" | "error" | "timeout"): void {
    this.#counters(resource).record(ms, outcome);
  }

  /** Whether `resource` has counters (a refused call is counted only then, so random names cannot grow them). */
  has(resource: string): boolean {
    return this.#byResource.has(resource);
  }

  figures(resource: string): ResourceFigures {
    return this.#byResource.get(resource)?.figures() ?? { calls: 0, errors: 0, timeouts: 0, p50Ms: null, p99Ms: null };
  }

  #counters(resource: string): Counters {
    let counters = this.#byResource.get(resource);
    if (counters === undefined) {
      if (this.#byResource.size >= MAX_RESOURCES) this.#forgetOne();
      counters = new Counters();
      this.#byResource.set(resource, counters);
    }
    return counters;
  }

  /** Forgets the oldest counters of a withdrawn resource, or else the oldest of all. */
  #forgetOne(): void {
    for (const key of this.#byResource.keys()) {
      if (!this.#isProvided(key)) {
        this.#byResource.delete(key);
        return;
      }
    }
    const oldest = this.#byResource.keys().next();
    if (!oldest.done) this.#byResource.delete(oldest.value);
  }
}
