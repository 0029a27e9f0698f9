// Registry resources as the control plane shows them: with the packages that
// declare their provider (GET /v1/resources), and as statistics samples.

import type { PackageRecord } from "../../db/index.ts";
import type { ResourceInfo, Sandbox } from "../../sandbox/index.ts";
import type { ResourceStats } from "../observe/stats_collector.ts";

/** Resources written per statistics sample: the most called ones. */
const MAX_SAMPLED = 1000;

export interface ResourceView {
  /** `<package>/<name>`. */
  resource: string;
  provider: string;
  name: string;
  methods: string[];
  /** Installed packages that declare the provider in `isopod.dependencies`: those that may use it. */
  users: string[];
  providedAt: string;
  calls: number;
  errors: number;
  timeouts: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

export function resourceViewsOf(infos: readonly ResourceInfo[], records: readonly PackageRecord[]): ResourceView[] {
  const installed = records.filter((record) => record.state !== "deleted");
  const users = new Map<string, string[]>();
  const usersOf = (provider: string): string[] => {
    let found = users.get(provider);
    if (found === undefined) {
      found = installed.filter((record) => Object.hasOwn(record.dependencies, provider)).map((record) => record.name).sort();
      users.set(provider, found);
    }
    return found;
  };
  return [...infos]
    .sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0))
    .map((info) => ({
      resource: info.resource,
      provider: info.provider,
      name: info.name,
      methods: info.methods,
      users: usersOf(info.provider),
      providedAt: new Date(info.providedAt).toISOString(),
      calls: info.calls,
      errors: info.errors,
      timeouts: info.timeouts,
      p50Ms: info.p50Ms,
      p99Ms: info.p99Ms,
    }));
}

/**
 * The registry's counters for a statistics sample: resources that were
 * called at least once, the most called first, so that a package with a
 * thousand idle resources does not fill the samples table.
 */
export async function resourceStatsOf(sandbox: Sandbox): Promise<ResourceStats[]> {
  return (await sandbox.resources())
    .filter((info) => info.calls > 0)
    .sort((a, b) => b.calls - a.calls)
    .slice(0, MAX_SAMPLED)
    .map(({ resource, provider, calls, errors, timeouts, p50Ms, p99Ms }) => ({ resource, provider, calls, errors, timeouts, p50Ms, p99Ms }));
}
