// One host's reconciliation: reads the fleet's desired state and brings each
// package here towards it through the host's own lifecycle, as the fleet actor.

import type { PackageRecord } from "../../db/index.ts";
import type { PackageManager } from "../lifecycle/package_manager.ts";
import type { DesiredState } from "./desired_state.ts";
import { FLEET_ACTOR } from "./fleet_package_manager.ts";
import { nextStep, type Step } from "./next_step.ts";
import type { Outcomes } from "./outcomes.ts";
import type { DesiredPackage } from "./schema.ts";

export interface ReconcilerOptions {
  packages: PackageManager;
  desired: DesiredState;
  outcomes: Outcomes;
  /** A step that failed is not tried again for the same desired entry before this long. */
  retryMs: number;
  log: (line: string) => void;
}

/** Most steps one package takes in one pass (add, then upgrade, then start...). */
const STEPS_PER_PASS = 4;
/** Rounds per pass: a package added before what it depends on gets another round. */
const ROUNDS = 3;

export class Reconciler {
  readonly #options: ReconcilerOptions;
  readonly #upgradeTried = new Map<string, string>();
  readonly #failed = new Map<string, { key: string; at: number }>();
  #last = new Map<string, DesiredPackage>();

  constructor(options: ReconcilerOptions) {
    this.#options = options;
  }

  /** The desired state as the last pass read it. */
  get desired(): ReadonlyMap<string, DesiredPackage> {
    return this.#last;
  }

  /** When a step for `name` last failed, with what; undefined when none is pending. */
  failing(name: string): boolean {
    return this.#failed.has(name);
  }

  /** One pass; throws (an engine error) only when the desired state cannot be read: then nothing is touched. */
  async pass(): Promise<void> {
    this.#last = await this.#options.desired.read();
    for (let round = 0; round < ROUNDS; round++) {
      let progressed = false;
      let failed = false;
      for (const spec of this.#last.values()) {
        const outcome = await this.#converge(spec);
        progressed ||= outcome.progressed;
        failed ||= outcome.failed;
      }
      if (!progressed || !failed) return;
    }
  }

  async #converge(spec: DesiredPackage): Promise<{ progressed: boolean; failed: boolean }> {
    let progressed = false;
    for (let i = 0; i < STEPS_PER_PASS; i++) {
      const record = this.#record(spec.name);
      const step = nextStep(spec, record, this.#upgradeTried.get(spec.name));
      if (!step) {
        this.#failed.delete(spec.name);
        return { progressed, failed: false };
      }
      const key = `${step.kind}@${spec.at}`;
      const failure = this.#failed.get(spec.name);
      if (failure?.key === key && Date.now() - failure.at < this.#options.retryMs) return { progressed, failed: true };
      if (!(await this.#run(spec.name, step, key))) return { progressed, failed: true };
      progressed = true;
    }
    return { progressed, failed: false };
  }

  async #run(name: string, step: Step, key: string): Promise<boolean> {
    const { packages, outcomes, log } = this.#options;
    if (step.kind === "upgrade") {
      const spec = this.#last.get(name);
      if (spec && !spec.deleted) this.#upgradeTried.set(name, spec.integrity);
    }
    try {
      await this.#carryOut(packages, name, step);
      if (step.kind === "delete") outcomes.forget(name);
      else outcomes.record(name, step.kind);
      this.#failed.delete(name);
      return true;
    } catch (error) {
      outcomes.record(name, step.kind, error);
      this.#failed.set(name, { key, at: Date.now() });
      log(`fleet: ${step.kind} of "${name}" failed here: ${outcomes.get(name)?.error?.message ?? "unknown error"}`);
      return false;
    }
  }

  async #carryOut(packages: PackageManager, name: string, step: Step): Promise<void> {
    switch (step.kind) {
      case "add":
      case "readd":
        await packages.add(step.request, FLEET_ACTOR);
        return;
      case "replace":
        (await packages.delete(name, FLEET_ACTOR, { cascade: true })).outcome(name);
        await packages.add(step.request, FLEET_ACTOR);
        return;
      case "upgrade":
        await packages.upgrade(name, FLEET_ACTOR);
        return;
      case "start":
        (await packages.start([name], FLEET_ACTOR, { reason: "fleet" })).outcome(name);
        return;
      case "stop":
        (await packages.stop([name], FLEET_ACTOR)).outcome(name);
        return;
      case "delete":
        (await packages.delete(name, FLEET_ACTOR, { cascade: true })).outcome(name);
        return;
    }
  }

  #record(name: string): PackageRecord | undefined {
    return this.#options.packages.list().find((record) => record.name === name);
  }
}
