// A batch: one operation over several packages, carried out one step at a
// time in dependency order, with one result per package in the order carried out.

import { cycleText, type CyclePath, type DependencyGraph } from "../graph/dependency_graph.ts";
import { IsopodError, messageOf, notFound } from "../errors.ts";
import type { Actor, Audit } from "./audit.ts";

export interface BatchResult {
  name: string;
  /** True for a name the caller gave; false for a dependency or dependent the batch took in. */
  requested: boolean;
  ok: boolean;
  /** What the step threw, when it failed. */
  error?: unknown;
  /** When the package's first step began, in milliseconds since the epoch. */
  at: number;
  /** Time spent on this package's steps. */
  durationMs: number;
}

/** The results of a batch so far; a package's later step moves its result to the end. */
export class BatchReport {
  readonly operation: string;
  readonly #requested: ReadonlySet<string>;
  readonly #results = new Map<string, BatchResult>();

  constructor(operation: string, requested: Iterable<string>) {
    this.operation = operation;
    this.#requested = new Set(requested);
  }

  /** Runs `fn` for each name in turn, as independent steps (for operations that act on one package). */
  static async each(operation: string, names: readonly string[], fn: (name: string) => Promise<unknown>): Promise<BatchReport> {
    const report = new BatchReport(operation, names);
    for (const name of names) await report.step(name, () => fn(name));
    return report;
  }

  isRequested(name: string): boolean {
    return this.#requested.has(name);
  }

  /** Runs one step for `name` and records how it ended. Never throws. */
  async step(name: string, work: () => Promise<unknown>): Promise<boolean> {
    const started = performance.now();
    try {
      await work();
      this.#set(name, started, true);
      return true;
    } catch (error) {
      this.#set(name, started, false, error);
      return false;
    }
  }

  /** Records a step refused before it ran. */
  refuse(name: string, error: unknown): void {
    this.#set(name, performance.now(), false, error);
  }

  /** Refuses every requested name that has no result yet: the batch as a whole could not go on. */
  refuseRest(error: unknown): void {
    for (const name of this.#requested) if (!this.#results.has(name)) this.refuse(name, error);
  }

  /** The first failure of a package sticks: a later step that succeeds (a restart) does not hide it. */
  #set(name: string, started: number, ok: boolean, error?: unknown): void {
    const before = this.#results.get(name);
    this.#results.delete(name);
    const durationMs = (before?.durationMs ?? 0) + (performance.now() - started);
    const at = before?.at ?? Date.now() - Math.round(performance.now() - started);
    const failure = before && !before.ok ? { ok: false, error: before.error } : ok ? { ok } : { ok, error };
    this.#results.set(name, { name, requested: this.isRequested(name), durationMs, at, ...failure });
  }

  errorOf(name: string): unknown {
    const result = this.#results.get(name);
    return result && !result.ok ? result.error : undefined;
  }

  get results(): BatchResult[] {
    return [...this.#results.values()];
  }

  /** For single-package operations: throws the error of `name`, if its step failed. */
  outcome(name: string): void {
    const result = this.#results.get(name);
    if (result && !result.ok) throw result.error;
  }
}

/** What the ordered runners need to know about one package. */
export interface PackageFacts {
  isInstalled(name: string): boolean;
  isRunning(name: string): boolean;
}

export function cycleError(verb: string, name: string, cycle: CyclePath): IsopodError {
  return new IsopodError("dependency_cycle", `cannot ${verb} "${name}": it is in the dependency cycle ${cycleText(cycle)}`, {
    cycle,
  });
}

function blockedByDependency(report: BatchReport, name: string, dependency: string, installed: boolean): IsopodError {
  const failure = report.errorOf(dependency);
  const why = !installed
    ? "is not installed"
    : failure !== undefined
      ? `did not start: ${messageOf(failure)}`
      : "is not running";
  return new IsopodError("dependency_failed", `cannot start "${name}": dependency "${dependency}" ${why}`, { dependency });
}

/**
 * Starts `names` and, first, what they depend on, in dependency order: each
 * package at most once, members of a cycle refused with the cycle named, and
 * a package whose dependency did not come up refused; the rest go on.
 */
export async function startInOrder(
  report: BatchReport,
  graph: DependencyGraph,
  names: Iterable<string>,
  steps: PackageFacts & { start(name: string): Promise<unknown> },
): Promise<void> {
  const { order, cycles } = graph.order(graph.withDependencies(names));
  for (const name of order) {
    const cycle = cycles.get(name);
    if (!steps.isInstalled(name)) {
      if (report.isRequested(name)) report.refuse(name, notFound(`package "${name}" is not installed`));
    } else if (cycle) {
      report.refuse(name, cycleError("start", name, cycle));
    } else {
      const blocker = graph.dependenciesOf(name).find((need) => !steps.isRunning(need));
      if (blocker !== undefined) report.refuse(name, blockedByDependency(report, name, blocker, steps.isInstalled(blocker)));
      else if (report.isRequested(name) || !steps.isRunning(name)) await report.step(name, () => steps.start(name));
    }
  }
}

/**
 * Carries out `step` on `names` and on what depends on them, dependents
 * first. A package is refused while `holds(dependent)` is true of one of its
 * dependents (a dependent still running, or still installed), so a
 * dependency never goes before what needs it.
 */
export async function dependentsFirst(
  report: BatchReport,
  graph: DependencyGraph,
  names: Iterable<string>,
  steps: PackageFacts & {
    verb: string;
    /** Whether a package the batch took in needs the step at all. */
    needed(name: string): boolean;
    holds(dependent: string): boolean;
    step(name: string): Promise<unknown>;
  },
): Promise<void> {
  const { order, cycles } = graph.order(graph.withDependents(names));
  // Members of one cycle cannot go one before the other; they do not block each other.
  const blocks = (name: string, dependent: string) => !(cycles.has(name) && cycles.has(dependent)) && steps.holds(dependent);
  for (const name of order.reverse()) {
    if (!steps.isInstalled(name)) {
      if (report.isRequested(name)) report.refuse(name, notFound(`package "${name}" is not installed`));
      continue;
    }
    if (!report.isRequested(name) && !steps.needed(name)) continue;
    const blocker = graph.dependentsOf(name).find((dependent) => blocks(name, dependent));
    if (blocker === undefined) await report.step(name, () => steps.step(name));
    else {
      report.refuse(
        name,
        new IsopodError("conflict", `cannot ${steps.verb} "${name}": its dependent "${blocker}" could not be handled first`, {
          dependent: blocker,
        }),
      );
    }
  }
}

/** A batch with its results written to the audit log; a batch that fails as a whole refuses the names it had not reached. */
export async function auditedBatch(
  audit: Audit,
  batch: { operation: string; names: readonly string[]; actor: Actor; params: Record<string, unknown> },
  run: (report: BatchReport) => Promise<void>,
): Promise<BatchReport> {
  const report = new BatchReport(batch.operation, batch.names);
  try {
    await run(report);
    return report;
  } catch (error) {
    report.refuseRest(error);
    throw error;
  } finally {
    audit.recordBatch(batch.actor, report, batch.params);
  }
}

export function hasDependents(name: string, dependents: string[]): IsopodError {
  const list = dependents.map((dependent) => `"${dependent}"`).join(", ");
  return new IsopodError(
    "has_dependents",
    `cannot delete "${name}": ${list} depend on it; delete them first, or delete with cascade=true`,
    { dependents },
  );
}
