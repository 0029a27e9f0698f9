// Per-package counters kept in memory since the host started: requests and
// errors (fed by the /pkg route), automatic restarts, and isolates that failed.

/** Packages tracked at most: `/pkg/<anything>` must not grow this without bound. */
export const MAX_TRACKED_PACKAGES = 10_000;

export interface PackageCounters {
  /** `/pkg` requests answered. */
  requests: number;
  /** Of those, answered with a status of 500 or more (the package failed, or the host cut it short). */
  errors: number;
  /** Restarts by the restart policy. */
  restarts: number;
  /** Isolates that ended by themselves, by reason (`memory`, `wall-time`, `uncaught-error`, ...). */
  failures: Record<string, number>;
}

const zero = (): PackageCounters => ({ requests: 0, errors: 0, restarts: 0, failures: {} });

export class StatsCounters {
  readonly #packages = new Map<string, PackageCounters>();

  #of(name: string): PackageCounters | undefined {
    let counters = this.#packages.get(name);
    if (!counters && this.#packages.size < MAX_TRACKED_PACKAGES) this.#packages.set(name, (counters = zero()));
    return counters;
  }

  /**
   * Counts `count` (default one) `/pkg` requests answered with `status`.
   * @example host.stats.countRequest("@acme/clock", response.status)
   */
  countRequest(name: string, status: number, count = 1): void {
    const counters = this.#of(name);
    if (!counters) return;
    counters.requests += count;
    if (status >= 500) counters.errors += count;
  }

  /** Counts one automatic restart (the restart policy calls this). */
  countRestart(name: string): void {
    const counters = this.#of(name);
    if (counters) counters.restarts += 1;
  }

  /** Counts one isolate that ended by itself, with the reason. */
  countFailure(name: string, reason: string): void {
    const counters = this.#of(name);
    if (counters) counters.failures[reason] = (counters.failures[reason] ?? 0) + 1;
  }

  /** A copy of one package's counters (zeros for a package never counted). */
  get(name: string): PackageCounters {
    const counters = this.#packages.get(name);
    return counters ? { ...counters, failures: { ...counters.failures } } : zero();
  }

  /** Forgets packages that are no longer installed. */
  retain(names: ReadonlySet<string>): void {
    for (const name of this.#packages.keys()) if (!names.has(name)) this.#packages.delete(name);
  }

  get size(): number {
    return this.#packages.size;
  }
}

/** Sum of failures over all reasons. */
export function failureCount(counters: PackageCounters): number {
  return Object.values(counters.failures).reduce((sum, n) => sum + n, 0);
}
