// What a host does next to bring one package towards the fleet's desired
// state: a pure decision from the desired entry and the local record.

import { isDeepStrictEqual } from "node:util";
import type { PackageRecord } from "../../db/index.ts";
import { effectivePermissions } from "../../sandbox/index.ts";
import type { AddRequest } from "../lifecycle/package_manager.ts";
import { parseGrant } from "../packages/manifest.ts";
import { sourceOf } from "./desired_state.ts";
import type { DesiredPackage, LiveSpec } from "./schema.ts";

export type Step =
  | { kind: "add"; request: AddRequest }
  /** Same source, other grant, env or config: an add with `reload`, as an operator would do. */
  | { kind: "readd"; request: AddRequest }
  /** Another source under the same name: delete here (with its dependents), then add. */
  | { kind: "replace"; request: AddRequest }
  | { kind: "upgrade" }
  | { kind: "start" }
  | { kind: "stop" }
  | { kind: "delete" };

/** The add request every host replays for a package of the fleet. */
export function addRequestOf(spec: LiveSpec, options: { reload?: boolean } = {}): AddRequest {
  return {
    ...(spec.source.kind === "git" ? { gitUrl: spec.source.url } : { path: spec.source.path }),
    ...(spec.grant !== undefined && { grant: spec.grant }),
    env: spec.env,
    config: spec.config,
    start: spec.desiredState === "running",
    ...(options.reload === true && { reload: true }),
  };
}

function sameSettings(spec: LiveSpec, record: PackageRecord): boolean {
  if (!isDeepStrictEqual(spec.env, record.env) || !isDeepStrictEqual(spec.config, record.config)) return false;
  try {
    const requested = record.manifest.requested;
    return isDeepStrictEqual(effectivePermissions(requested, parseGrant(spec.grant, requested)), record.granted);
  } catch {
    return false; // a grant this host cannot read: the re-add names the problem
  }
}

/**
 * The next step, or undefined when the package is where the fleet wants it.
 * `upgradeTried` is the integrity this host last tried to upgrade to: a host
 * whose source gives other files (a moved branch) tries once per new integrity.
 */
export function nextStep(spec: DesiredPackage, record: PackageRecord | undefined, upgradeTried: string | undefined): Step | undefined {
  if (spec.deleted) return record ? { kind: "delete" } : undefined;
  if (!record) return { kind: "add", request: addRequestOf(spec) };
  if (!isDeepStrictEqual(sourceOf(record), spec.source)) return { kind: "replace", request: addRequestOf(spec) };
  if (!sameSettings(spec, record)) return { kind: "readd", request: addRequestOf(spec, { reload: true }) };
  if (spec.integrity !== record.integrity && upgradeTried !== spec.integrity) return { kind: "upgrade" };
  // `installed` while meant to run: an upgrade swapped in files that a failed start (integrity) had refused.
  if (spec.desiredState === "running" && (record.desiredState !== "running" || record.state === "installed")) return { kind: "start" };
  if (spec.desiredState === "stopped" && record.desiredState === "running") return { kind: "stop" };
  return undefined;
}
