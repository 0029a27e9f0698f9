// Swapping installed packages for re-read files (reload, and an add with
// `reload`): admitted as a set, stopped with their dependents, swapped, started again.

import type { PackageRecord } from "../../db/index.ts";
import type { Bundler } from "../packages/bundler.ts";
import type { AddOptions, PreparedPackage } from "../packages/installer.ts";
import type { DependencyGraph } from "../graph/dependency_graph.ts";
import { notFound } from "../errors.ts";
import { startInOrder, type BatchReport, type PackageFacts } from "./batch.ts";
import type { PackageLocks } from "./package_locks.ts";
import { admitReplacements, replacementOf, reread } from "./replacement.ts";
import type { LifecycleSteps } from "./steps.ts";

export interface SwapDeps {
  locks: PackageLocks;
  steps: LifecycleSteps;
  bundler: Bundler;
  list(): PackageRecord[];
  graph(): DependencyGraph;
  starter(): PackageFacts & { start(name: string): Promise<unknown> };
}

export class Swaps {
  readonly #deps: SwapDeps;

  constructor(deps: SwapDeps) {
    this.#deps = deps;
  }

  #get(name: string): PackageRecord {
    return this.#deps.steps.get(name);
  }

  /** Each package re-read from its files; one that fails to read is refused in the report. */
  async reread(names: readonly string[], report: BatchReport): Promise<Map<string, PreparedPackage>> {
    const prepared = new Map<string, PreparedPackage>();
    for (const name of names) {
      try {
        prepared.set(name, await reread(this.#get(name), this.#deps.bundler));
      } catch (error) {
        report.refuse(name, error);
      }
    }
    return prepared;
  }

  /** Swaps in prepared files for installed packages, restarting what ran and what should run. */
  replace(report: BatchReport, prepared: Map<string, PreparedPackage>, options: AddOptions): Promise<void> {
    return this.#deps.locks.runScoped(
      () => this.#scope(prepared),
      async () => {
        const accepted = this.#admit(report, prepared, options);
        const names = accepted.map((record) => record.name);
        const wanted = names.filter((name) => this.#get(name).desiredState === "running");
        const running = await this.#stopAll(this.#deps.graph().withDependents(names));
        for (const record of accepted) {
          await report.step(record.name, () => this.#deps.steps.swap(record, prepared.get(record.name)!.code));
        }
        await startInOrder(report, this.#deps.graph(), new Set([...running, ...wanted]), this.#deps.starter());
      },
    );
  }

  /** What a reload touches: the packages, what depends on them, and what they all will depend on. */
  #scope(prepared: Map<string, PreparedPackage>): Set<string> {
    const changed = new Map([...prepared].map(([name, p]) => [name, Object.keys(p.manifest.dependencies)]));
    const affected = this.#deps.graph().withDependents(prepared.keys());
    return new Set([...affected, ...this.#deps.graph().with(changed).withDependencies(affected)]);
  }

  /** The replacement records that keep the graph sound; the others are refused in the report. */
  #admit(report: BatchReport, prepared: Map<string, PreparedPackage>, options: AddOptions): PackageRecord[] {
    const next = [...prepared].flatMap(([name, p]) => {
      if (this.#deps.steps.isInstalled(name)) return [replacementOf(this.#get(name), p, options)];
      report.refuse(name, notFound(`package "${name}" is not installed`));
      return [];
    });
    const { accepted, refused } = admitReplacements(this.#deps.list(), next);
    for (const [name, error] of refused) report.refuse(name, error);
    const names = new Set(accepted.map((record) => record.name));
    return next.filter((record) => names.has(record.name));
  }

  /** Stops the running ones among `names`, dependents first, keeping their desired state; returns them. */
  async #stopAll(names: Set<string>): Promise<string[]> {
    const running = [...names].filter((name) => this.#deps.steps.isRunning(name));
    for (const name of this.#deps.graph().order(running).order.reverse()) await this.#deps.steps.stop(name);
    return running;
  }
}
