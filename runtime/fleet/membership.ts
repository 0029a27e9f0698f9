// Membership: a host renews its entry in the engine's `members` bucket (which
// forgets entries older than the lease) and writes its report beside it.

import type { PackageRecord } from "../../db/index.ts";
import type { FleetEngine } from "./engine.ts";
import type { Outcomes } from "./outcomes.ts";
import type { DesiredPackage, HostReport, Member, PackageReport } from "./schema.ts";

export interface MembershipOptions {
  hostId: string;
  leaseMs: number;
  startedAt: number;
  /** What this host has, what the fleet wants, and how its last operations ended. */
  report: () => { address: string; ready: boolean; records: PackageRecord[]; desired: ReadonlyMap<string, DesiredPackage>; outcomes: Outcomes };
}

/** Each fleet package as this host has it; one it could not install is `absent`, with the reason. */
export function reportOf(hostId: string, state: ReturnType<MembershipOptions["report"]>): HostReport {
  const packages: Record<string, PackageReport> = {};
  const records = new Map(state.records.map((record) => [record.name, record]));
  for (const spec of state.desired.values()) {
    if (spec.deleted) continue;
    const record = records.get(spec.name);
    const last = state.outcomes.get(spec.name) ?? null;
    packages[spec.name] = record
      ? {
          state: record.state,
          desiredState: record.desiredState,
          version: record.version,
          integrity: record.integrity,
          commit: record.source.kind === "git" ? record.source.commit : null,
          error: record.error && { code: record.error.code, message: record.error.message },
          last,
        }
      : { state: "absent", desiredState: null, version: null, integrity: null, commit: null, error: last?.error ?? null, last };
  }
  return { id: hostId, address: state.address, at: Date.now(), packages };
}

export class Membership {
  readonly #engine: FleetEngine;
  readonly #options: MembershipOptions;
  #timer: NodeJS.Timeout | undefined;
  #beating: Promise<void> | undefined;

  constructor(engine: FleetEngine, options: MembershipOptions) {
    this.#engine = engine;
    this.#options = options;
  }

  /** Renews the lease every third of it, so that one lost renewal does not drop the host. */
  start(): void {
    this.#timer ??= setInterval(() => void this.beat(), Math.max(50, Math.floor(this.#options.leaseMs / 3)));
  }

  /** One renewal and report; skipped while the last one is still under way. A failure waits for the next one. */
  beat(): Promise<void> {
    this.#beating ??= this.#beat()
      .catch(() => undefined)
      .finally(() => (this.#beating = undefined));
    return this.#beating;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#beating;
  }

  async #beat(): Promise<void> {
    if (!this.#engine.connected) return;
    const state = this.#options.report();
    const member: Member = { id: this.#options.hostId, address: state.address, ready: state.ready, startedAt: this.#options.startedAt, at: Date.now() };
    await this.#engine.put("members", member.id, member);
    await this.#engine.put("reports", member.id, reportOf(member.id, state));
  }
}
