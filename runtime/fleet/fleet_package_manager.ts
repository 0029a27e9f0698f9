// The package manager of a host in a fleet: every operator's operation (API,
// CLI, actor, pipe) runs here as usual, then writes the fleet's desired state.

import { AsyncLocalStorage } from "node:async_hooks";
import type { PackageRecord } from "../../db/index.ts";
import { HOST_ACTOR, type Actor } from "../lifecycle/audit.ts";
import type { BatchReport } from "../lifecycle/batch.ts";
import { PackageManager, type AddRequest, type DeleteOptions } from "../lifecycle/package_manager.ts";
import type { AddContext } from "../lifecycle/source_dependencies.ts";
import type { UpgradeResult } from "../lifecycle/upgrade.ts";
import type { DesiredState } from "./desired_state.ts";
import type { Outcomes } from "./outcomes.ts";
import type { DesiredPackage } from "./schema.ts";

/** The reconciler's actor: what it does on a host is that host's audit, not a new fleet write. */
export const FLEET_ACTOR: Actor = { name: "fleet" };

/** What the wrapper needs from the fleet. */
export interface FleetWrites {
  desired: DesiredState;
  outcomes: Outcomes;
  /** Told when an operator's operation begins and ends: the reconciler waits for none to be under way. */
  busy(delta: 1 | -1): void;
}

type Desired = Map<string, DesiredPackage>;

/**
 * Reads the desired state first (so a write while the engine is away is a 503 that
 * changed nothing), runs the operation on this host, then writes what it reached.
 * The host's own actions (boot, restarts) and the reconciler's stay local.
 */
export class FleetPackageManager extends PackageManager {
  #writes: FleetWrites | undefined;
  readonly #inside = new AsyncLocalStorage<true>();

  /** Set once by the fleet, right after construction. */
  attach(writes: FleetWrites): void {
    this.#writes = writes;
  }

  override add(request: AddRequest, actor: Actor, context: AddContext = { chain: [] }): Promise<PackageRecord> {
    if (this.#local(actor)) return super.add(request, actor, context);
    return this.#write(async (writes, desired) => {
      const record = await this.#inside.run(true, () => super.add(request, actor, context));
      writes.outcomes.record(record.name, "add");
      await writes.desired.added(request, record, desired.get(record.name));
      return record;
    });
  }

  override upgrade(name: string, actor: Actor): Promise<UpgradeResult> {
    if (this.#local(actor)) return super.upgrade(name, actor);
    return this.#write(async (writes, desired) => {
      const result = await this.#inside.run(true, () => super.upgrade(name, actor)).catch((error: unknown) => {
        writes.outcomes.record(name, "upgrade", error);
        throw error;
      });
      writes.outcomes.record(name, "upgrade");
      await this.#publish(writes, desired, [name]);
      return result;
    });
  }

  override upgradeAll(names: readonly string[], actor: Actor): Promise<BatchReport> {
    return this.#batch("upgrade", actor, () => super.upgradeAll(names, actor));
  }

  override start(names: readonly string[], actor: Actor, params: Record<string, unknown> = {}): Promise<BatchReport> {
    return this.#batch("start", actor, () => super.start(names, actor, params));
  }

  override stop(names: readonly string[], actor: Actor): Promise<BatchReport> {
    return this.#batch("stop", actor, () => super.stop(names, actor));
  }

  override reload(names: readonly string[], actor: Actor): Promise<BatchReport> {
    return this.#batch("reload", actor, () => super.reload(names, actor));
  }

  override delete(name: string, actor: Actor, options: DeleteOptions = {}): Promise<BatchReport> {
    if (this.#local(actor)) return super.delete(name, actor, options);
    return this.#write(async (writes) => {
      const report = await this.#inside.run(true, () => super.delete(name, actor, options));
      for (const result of report.results) {
        if (!result.ok) continue;
        writes.outcomes.forget(result.name);
        await writes.desired.deleted(result.name);
      }
      return report;
    });
  }

  #local(actor: Actor): boolean {
    return this.#writes === undefined || actor === HOST_ACTOR || actor === FLEET_ACTOR || this.#inside.getStore() === true;
  }

  #batch(operation: string, actor: Actor, run: () => Promise<BatchReport>): Promise<BatchReport> {
    if (this.#local(actor)) return run();
    return this.#write(async (writes, desired) => {
      const report = await this.#inside.run(true, run);
      for (const result of report.results) writes.outcomes.record(result.name, operation, result.ok ? undefined : result.error);
      await this.#publish(writes, desired, report.results.filter((result) => result.ok).map((result) => result.name));
      return report;
    });
  }

  /** Writes the run state and files reached here, for each name that is a package of the fleet. */
  async #publish(writes: FleetWrites, desired: Desired, names: readonly string[]): Promise<void> {
    for (const name of names) {
      const spec = desired.get(name);
      const record = this.list().find((candidate) => candidate.name === name);
      if (spec && !spec.deleted && record) await writes.desired.changed(record, spec);
    }
  }

  async #write<T>(work: (writes: FleetWrites, desired: Desired) => Promise<T>): Promise<T> {
    const writes = this.#writes!;
    writes.busy(1);
    try {
      return await work(writes, await writes.desired.read());
    } finally {
      writes.busy(-1);
    }
  }
}
