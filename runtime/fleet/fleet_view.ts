// The fleet as `GET /v1/fleet` and `isopod fleet ls` show it: every host with
// its address and liveness, every package with its state and version on each host.

import type { DesiredState } from "./desired_state.ts";
import type { FleetEngine } from "./engine.ts";
import { memberSchema, reportSchema, type HostReport, type Member, type PackageReport } from "./schema.ts";

export interface FleetHostView {
  id: string;
  address: string;
  /** Its lease is current. */
  live: boolean;
  /** Live and reconciled to the desired state since it (re)joined. */
  ready: boolean;
  /** When it last renewed its lease or reported, in milliseconds since the epoch. */
  lastSeen: number;
}

export interface FleetPackageView {
  name: string;
  desired: { state: "running" | "stopped"; version: string; integrity: string; source: { kind: string; url?: string; path?: string } };
  /** By host id: the package as that host last reported it. */
  hosts: Record<string, PackageReport & { live: boolean }>;
}

export interface FleetProblem {
  host: string;
  package: string;
  /** The operation that failed there (`upgrade`, `add`...), or `state` for a package that is failed there. */
  operation: string;
  error: { code: string; message: string };
}

export interface FleetView {
  engine: { url: string; connected: boolean };
  self: string;
  hosts: FleetHostView[];
  packages: FleetPackageView[];
  /** Every failure on every live host, in one place (a failed upgrade shows here with its host). */
  problems: FleetProblem[];
}

function valid<T>(entries: { key: string; value: unknown }[], schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } }, idOf: (value: T) => string): T[] {
  return entries.flatMap((entry) => {
    const parsed = schema.safeParse(entry.value);
    return parsed.success && idOf(parsed.data) === entry.key ? [parsed.data] : [];
  });
}

export async function fleetViewOf(engine: FleetEngine, desired: DesiredState, self: string): Promise<FleetView> {
  const specs = await desired.read();
  const members = new Map(valid<Member>(await engine.entries("members"), memberSchema, (m) => m.id).map((m) => [m.id, m]));
  const reports = valid<HostReport>(await engine.entries("reports"), reportSchema, (r) => r.id);
  const hostIds = [...new Set([...members.keys(), ...reports.map((r) => r.id)])].sort();
  const reportOf = new Map(reports.map((r) => [r.id, r]));
  const hosts = hostIds.map((id): FleetHostView => {
    const member = members.get(id);
    const report = reportOf.get(id);
    return { id, address: member?.address ?? report?.address ?? "", live: member !== undefined, ready: member?.ready ?? false, lastSeen: Math.max(member?.at ?? 0, report?.at ?? 0) };
  });
  const packages: FleetPackageView[] = [];
  const problems: FleetProblem[] = [];
  for (const spec of [...specs.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    if (spec.deleted) continue;
    const view: FleetPackageView = { name: spec.name, desired: { state: spec.desiredState, version: spec.version, integrity: spec.integrity, source: spec.source }, hosts: {} };
    for (const host of hosts) {
      const entry = reportOf.get(host.id)?.packages[spec.name];
      if (!entry) continue;
      view.hosts[host.id] = { ...entry, live: host.live };
      if (!host.live) continue;
      if (entry.last && !entry.last.ok && entry.last.error) problems.push({ host: host.id, package: spec.name, operation: entry.last.operation, error: entry.last.error });
      else if (entry.state === "failed" && entry.error) problems.push({ host: host.id, package: spec.name, operation: "state", error: entry.error });
    }
    packages.push(view);
  }
  return { engine: { url: engine.url, connected: engine.connected }, self, hosts, packages, problems };
}
