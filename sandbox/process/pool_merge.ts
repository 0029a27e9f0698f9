// How a pool of sandbox processes reports as one: the copies of an isolate are
// summed into one entry, the registry's counters per resource added up.

import type { IsolateStats, ResourceInfo } from "../sandbox.ts";

/** One entry per instance: CPU, wall time and memory of its copies added (the copies are what the host pays for). */
export function mergeIsolateStats(perProcess: IsolateStats[][]): IsolateStats[] {
  const merged = new Map<string, IsolateStats>();
  for (const stats of perProcess.flat()) {
    const seen = merged.get(stats.instanceId);
    if (!seen) {
      merged.set(stats.instanceId, { ...stats });
      continue;
    }
    seen.cpuMs += stats.cpuMs;
    seen.wallMs += stats.wallMs;
    seen.heapUsedBytes += stats.heapUsedBytes;
    seen.heapTotalBytes += stats.heapTotalBytes;
    seen.heapLimitBytes += stats.heapLimitBytes;
    seen.externalBytes += stats.externalBytes;
    seen.heapAt = Math.min(seen.heapAt, stats.heapAt);
    seen.createdAt = Math.min(seen.createdAt, stats.createdAt);
  }
  return [...merged.values()];
}

/** One entry per resource: calls and errors added; the percentiles are the worst process's (they cannot be added). */
export function mergeResources(perProcess: ResourceInfo[][]): ResourceInfo[] {
  const merged = new Map<string, ResourceInfo>();
  for (const info of perProcess.flat()) {
    const seen = merged.get(info.resource);
    if (!seen) {
      merged.set(info.resource, { ...info });
      continue;
    }
    seen.calls += info.calls;
    seen.errors += info.errors;
    seen.timeouts += info.timeouts;
    seen.providedAt = Math.min(seen.providedAt, info.providedAt);
    seen.p50Ms = worst(seen.p50Ms, info.p50Ms);
    seen.p99Ms = worst(seen.p99Ms, info.p99Ms);
  }
  return [...merged.values()];
}

function worst(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}
