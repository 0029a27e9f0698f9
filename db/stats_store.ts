// Statistics samples: one row per package (and per registry resource) each
// time the sampler runs. Counters are cumulative since the host started.

import { pruneTable, type PruneBound } from "./prune.ts";
import type { Database } from "./sqlite.ts";

export interface PackageSample {
  /** Milliseconds since the epoch. */
  at: number;
  package: string;
  state: string;
  /** Live isolates of the package (0 when it is not running). */
  isolates: number;
  /** CPU time of its live isolates, in ms; starts again at 0 with each new isolate. */
  cpuMs: number;
  heapUsedBytes: number;
  heapLimitBytes: number;
  /** `/pkg` requests answered, and those answered with a status of 500 or more, since the host started. */
  requests: number;
  errors: number;
  /** Automatic restarts, and isolates that ended by themselves (failures), since the host started. */
  restarts: number;
  failures: number;
  /** Time since its current isolate was created, in ms; 0 when it is not running. */
  uptimeMs: number;
  /** Console lines dropped over the rate limit since the host started. */
  logDropped: number;
}

export interface ResourceSample {
  at: number;
  /** `<package>/<name>`. */
  resource: string;
  provider: string;
  calls: number;
  errors: number;
  timeouts: number;
  /** Call latency percentiles in ms, null before the first call. */
  p50Ms: number | null;
  p99Ms: number | null;
}

export interface SampleQuery {
  /** Only this package (or resource). */
  name?: string;
  /** Only samples taken at or after this time (ms since the epoch). */
  since?: number;
  /** The newest `limit` samples; default 100, at most 10000. */
  limit?: number;
}

interface PackageSampleRow {
  at: number;
  package: string;
  state: string;
  isolates: number;
  cpu_ms: number;
  heap_used_bytes: number;
  heap_limit_bytes: number;
  requests: number;
  errors: number;
  restarts: number;
  failures: number;
  uptime_ms: number;
  log_dropped: number;
}

const sampleOf = (row: PackageSampleRow): PackageSample => ({
  at: row.at,
  package: row.package,
  state: row.state,
  isolates: row.isolates,
  cpuMs: row.cpu_ms,
  heapUsedBytes: row.heap_used_bytes,
  heapLimitBytes: row.heap_limit_bytes,
  requests: row.requests,
  errors: row.errors,
  restarts: row.restarts,
  failures: row.failures,
  uptimeMs: row.uptime_ms,
  logDropped: row.log_dropped,
});

const MAX_QUERY = 10_000;

export class StatsStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  recordPackages(samples: readonly PackageSample[]): void {
    const insert = this.#db.prepare(
      `INSERT INTO package_samples (at, package, state, isolates, cpu_ms, heap_used_bytes, heap_limit_bytes,
         requests, errors, restarts, failures, uptime_ms, log_dropped)
       VALUES (@at, @package, @state, @isolates, @cpuMs, @heapUsedBytes, @heapLimitBytes,
         @requests, @errors, @restarts, @failures, @uptimeMs, @logDropped)`,
    );
    this.#db.transaction(() => {
      for (const sample of samples) insert.run(sample);
    })();
  }

  /** Records the registry's per-resource counters (fed by the registry once it exists). */
  recordResources(samples: readonly ResourceSample[]): void {
    const insert = this.#db.prepare(
      `INSERT INTO resource_samples (at, resource, provider, calls, errors, timeouts, p50_ms, p99_ms)
       VALUES (@at, @resource, @provider, @calls, @errors, @timeouts, @p50Ms, @p99Ms)`,
    );
    this.#db.transaction(() => {
      for (const sample of samples) insert.run(sample);
    })();
  }

  /** Package samples, oldest first. */
  packageSamples(query: SampleQuery = {}): PackageSample[] {
    const rows = this.#db
      .prepare(
        `SELECT * FROM package_samples
         WHERE (@name IS NULL OR package = @name) AND at >= @since
         ORDER BY id DESC LIMIT @limit`,
      )
      .all(this.#params(query)) as PackageSampleRow[];
    return rows.reverse().map(sampleOf);
  }

  /** Resource samples, oldest first. */
  resourceSamples(query: SampleQuery = {}): ResourceSample[] {
    const rows = this.#db
      .prepare(
        `SELECT at, resource, provider, calls, errors, timeouts, p50_ms AS p50Ms, p99_ms AS p99Ms FROM resource_samples
         WHERE (@name IS NULL OR resource = @name) AND at >= @since
         ORDER BY id DESC LIMIT @limit`,
      )
      .all(this.#params(query)) as ResourceSample[];
    return rows.reverse();
  }

  #params(query: SampleQuery): { name: string | null; since: number; limit: number } {
    return { name: query.name ?? null, since: query.since ?? 0, limit: Math.min(query.limit ?? 100, MAX_QUERY) };
  }

  /** One step of retention over both sample tables; the bound applies to each. Returns rows deleted. */
  prune(bound: PruneBound, chunk: number): number {
    const packages = pruneTable(this.#db, { table: "package_samples", time: "at" }, bound, chunk);
    if (packages > 0) return packages;
    return pruneTable(this.#db, { table: "resource_samples", time: "at" }, bound, chunk);
  }

  count(): { packages: number; resources: number } {
    return this.#db
      .prepare(
        `SELECT (SELECT count(*) FROM package_samples) AS packages, (SELECT count(*) FROM resource_samples) AS resources`,
      )
      .get() as { packages: number; resources: number };
  }
}
