// Gathers the host's statistics at one moment: the packages' counters, what
// their isolates use, the registry's resources and the host process itself.

import type { PackageRecord, ResourceSample, Store } from "../../db/index.ts";
import type { IsolateStats, Sandbox } from "../../sandbox/index.ts";
import type { LogHub } from "./log_hub.ts";
import { failureCount, type StatsCounters } from "./stats_counters.ts";

/** One package's figures now. Counters are since the host started; isolate figures are of its live isolates. */
export interface PackageStats {
  name: string;
  state: PackageRecord["state"];
  desiredState: PackageRecord["desiredState"];
  /** Live isolates: 1 while running, 0 when stopped, briefly 2 while a hook runs beside it. */
  isolates: number;
  /** CPU time of its live isolates, in ms; a new isolate (restart) starts again from 0. */
  cpuMs: number;
  heapUsedBytes: number;
  heapLimitBytes: number;
  requests: number;
  errors: number;
  restarts: number;
  failures: number;
  failuresByReason: Record<string, number>;
  /** Time since its newest isolate was created while it runs, in ms; 0 otherwise. */
  uptimeMs: number;
  /** Console lines and bytes dropped over the rate limit. */
  logDropped: number;
  logDroppedBytes: number;
}

/** A registry resource's counters, as the registry reports them. */
export type ResourceStats = Omit<ResourceSample, "at">;

export interface HostFigures {
  startedAt: number;
  uptimeMs: number;
  pid: number;
  node: string;
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  packages: { installed: number; running: number; failed: number };
  isolates: number;
  logFollowers: number;
}

export interface StatsSnapshot {
  at: number;
  host: HostFigures;
  packages: PackageStats[];
  resources: ResourceStats[];
  isolates: IsolateStats[];
}

export interface StatsSources {
  store: Store;
  sandbox: Sandbox;
  counters: StatsCounters;
  logs: LogHub;
  startedAt: number;
}

export class StatsCollector {
  readonly #sources: StatsSources;
  #resources: () => ResourceStats[] | Promise<ResourceStats[]> = () => [];

  constructor(sources: StatsSources) {
    this.#sources = sources;
  }

  /** Where resource counters come from (the host points it at its sandbox's registry). */
  setResourceSource(source: () => ResourceStats[] | Promise<ResourceStats[]>): void {
    this.#resources = source;
  }

  async collect(): Promise<StatsSnapshot> {
    const { store, sandbox, logs, startedAt } = this.#sources;
    const [isolates, resources] = await Promise.all([sandbox.stats(), this.#resources()]);
    const at = Date.now();
    const records = store.packages.list();
    const byPackage = new Map<string, IsolateStats[]>();
    for (const isolate of isolates) byPackage.set(isolate.packageName, [...(byPackage.get(isolate.packageName) ?? []), isolate]);
    const packages = records.map((record) => this.#packageStats(record, byPackage.get(record.name) ?? [], at));
    const memory = process.memoryUsage();
    const cpu = process.cpuUsage();
    return {
      at,
      host: {
        startedAt,
        uptimeMs: at - startedAt,
        pid: process.pid,
        node: process.version,
        rssBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
        heapTotalBytes: memory.heapTotal,
        externalBytes: memory.external,
        cpuUserMs: cpu.user / 1000,
        cpuSystemMs: cpu.system / 1000,
        packages: {
          installed: records.length,
          running: records.filter((record) => record.state === "running").length,
          failed: records.filter((record) => record.state === "failed").length,
        },
        isolates: isolates.length,
        logFollowers: logs.followerCount,
      },
      packages,
      resources,
      isolates,
    };
  }

  /** `own`: the isolates of this package. */
  #packageStats(record: PackageRecord, own: IsolateStats[], at: number): PackageStats {
    const { counters, logs } = this.#sources;
    const count = counters.get(record.name);
    const dropped = logs.dropped(record.name);
    const newest = Math.max(0, ...own.map((isolate) => isolate.createdAt));
    return {
      name: record.name,
      state: record.state,
      desiredState: record.desiredState,
      isolates: own.length,
      cpuMs: own.reduce((sum, isolate) => sum + isolate.cpuMs, 0),
      heapUsedBytes: own.reduce((sum, isolate) => sum + isolate.heapUsedBytes, 0),
      heapLimitBytes: own.reduce((sum, isolate) => sum + isolate.heapLimitBytes, 0),
      requests: count.requests,
      errors: count.errors,
      restarts: count.restarts,
      failures: failureCount(count),
      failuresByReason: count.failures,
      uptimeMs: record.state === "running" && newest > 0 ? at - newest : 0,
      logDropped: dropped.lines,
      logDroppedBytes: dropped.bytes,
    };
  }
}
