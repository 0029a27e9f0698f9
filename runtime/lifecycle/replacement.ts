// What a reload puts in place of an installed package: its re-read files and
// manifest, accepted only if the dependency graph stays sound with them.

import semver from "semver";
import type { PackageRecord } from "../../db/index.ts";
import { effectivePermissions } from "../../sandbox/index.ts";
import { cycleText, DependencyGraph } from "../graph/dependency_graph.ts";
import type { Bundler } from "../packages/bundler.ts";
import { invalidPackage, IsopodError } from "../errors.ts";
import { preparePackage, recordOf, type AddOptions, type PreparedPackage } from "../packages/installer.ts";

/** Reads and validates an installed package's files again, from where they are. */
export async function reread(current: PackageRecord, bundler: Bundler): Promise<PreparedPackage> {
  const next = await preparePackage(current.folder, current.source, undefined, bundler);
  if (next.manifest.name !== current.name) {
    throw invalidPackage(
      `cannot reload "${current.name}": its manifest now names it "${next.manifest.name}"; delete it and add it again`,
    );
  }
  return next;
}

/** The record that replaces `current`: new files and manifest, same identity, history and desired state. */
export function replacementOf(current: PackageRecord, prepared: PreparedPackage, options: AddOptions = {}): PackageRecord {
  const next: PackageRecord = {
    ...recordOf(prepared, { env: options.env ?? current.env, config: options.config ?? current.config }),
    state: "installed",
    desiredState: current.desiredState,
    installedAt: current.installedAt,
  };
  // Without a new grant, a new request is still capped by what was granted before.
  if (options.grant === undefined) {
    next.granted = effectivePermissions(prepared.manifest.requested, current.granted);
  }
  return next;
}

/** The part of a package the dependency checks look at. */
export type Versioned = Pick<PackageRecord, "name" | "version" | "dependencies">;

export interface Admission {
  accepted: Versioned[];
  /** Why each refused candidate was refused. */
  refused: Map<string, IsopodError>;
}

/**
 * Which `candidates` may replace the installed packages of the same name:
 * each one's dependencies installed and in range, its dependents' ranges
 * still met, and no cycle through it. A refused candidate is dropped and the
 * rest checked again, so the accepted ones are sound together.
 */
export function admitReplacements(installed: readonly Versioned[], candidates: readonly Versioned[], verb = "reload"): Admission {
  const pending = new Map(candidates.map((candidate) => [candidate.name, candidate]));
  const refused = new Map<string, IsopodError>();
  for (let round = 0; round <= candidates.length; round++) {
    const view = new Map(installed.map((record) => [record.name, record]));
    for (const candidate of pending.values()) view.set(candidate.name, candidate);
    const problems = findProblems(view, [...pending.values()], verb);
    if (problems.size === 0) break;
    for (const [name, error] of problems) {
      refused.set(name, error);
      pending.delete(name);
    }
  }
  return { accepted: [...pending.values()], refused };
}

function findProblems(view: Map<string, Versioned>, pending: Versioned[], verb: string): Map<string, IsopodError> {
  const problems = new Map<string, IsopodError>();
  const { cycles } = DependencyGraph.of([...view.values()].map((p) => [p.name, Object.keys(p.dependencies)])).order();
  for (const candidate of pending) {
    const error =
      missingOrOutOfRange(candidate, view, verb) ?? unmetDependents(candidate, view, verb) ?? cycleThrough(candidate, cycles, verb);
    if (error) problems.set(candidate.name, error);
  }
  return problems;
}

function missingOrOutOfRange(candidate: Versioned, view: Map<string, Versioned>, verb: string): IsopodError | undefined {
  const problems: string[] = [];
  for (const [name, range] of Object.entries(candidate.dependencies)) {
    const installed = view.get(name);
    if (!installed) problems.push(`"${name}" (${range}) is not installed`);
    else if (!semver.satisfies(installed.version, range, { includePrerelease: true })) {
      problems.push(`"${name}" is at ${installed.version}, outside ${range}`);
    }
  }
  if (problems.length === 0) return undefined;
  return invalidPackage(`cannot ${verb} "${candidate.name}": dependency ${problems.join(", dependency ")}`, {
    dependencies: problems,
  });
}

function unmetDependents(candidate: Versioned, view: Map<string, Versioned>, verb: string): IsopodError | undefined {
  const unmet = [...view.values()]
    .filter((other) => other.dependencies[candidate.name] !== undefined)
    .filter((other) => !semver.satisfies(candidate.version, other.dependencies[candidate.name]!, { includePrerelease: true }))
    .map((other) => `"${other.name}" requires ${other.dependencies[candidate.name]}`);
  if (unmet.length === 0) return undefined;
  return new IsopodError(
    "conflict",
    `cannot ${verb} "${candidate.name}": its new version ${candidate.version} is outside what its dependents require: ${unmet.join(", ")}`,
    { dependents: unmet },
  );
}

function cycleThrough(candidate: Versioned, cycles: Map<string, readonly string[]>, verb: string): IsopodError | undefined {
  const cycle = cycles.get(candidate.name);
  if (!cycle) return undefined;
  return new IsopodError(
    "dependency_cycle",
    `cannot ${verb} "${candidate.name}": its dependencies would form the cycle ${cycleText(cycle)}`,
    { cycle },
  );
}
