// Prepares a package for the host: reads and validates its manifest, checks
// its dependencies and the grant, bundles its module and hashes its files.

import semver from "semver";
import type { PackageRecord, PackageSource, Store } from "../../db/index.ts";
import { effectivePermissions, type PermissionSet } from "../../sandbox/index.ts";
import type { Bundler } from "./bundler.ts";
import { invalidPackage } from "../errors.ts";
import { hashFolder } from "./integrity.ts";
import { parseGrant, readManifest, type Manifest } from "./manifest.ts";
import { bundlePackage, rowsOf, type Resolution } from "./index.ts";

export interface PreparedPackage {
  manifest: Manifest;
  root: string;
  source: PackageSource;
  code: string;
  integrity: string;
  granted: PermissionSet;
  /** The npm and JSR packages its imports resolved to. */
  resolution: Resolution;
}

export interface AddOptions {
  grant?: unknown;
  env?: Record<string, string>;
  config?: Record<string, unknown>;
}

/** One error listing every declared dependency that is not installed, or not in range. */
export function checkDependencies(manifest: Manifest, store: Store): void {
  const problems: string[] = [];
  for (const [name, requirement] of Object.entries(manifest.dependencies)) {
    const installed = store.packages.get(name);
    if (!installed) problems.push(`"${name}" (${requirement.range}) is not installed`);
    else if (!semver.satisfies(installed.version, requirement.range, { includePrerelease: true })) {
      problems.push(`"${name}" is at ${installed.version}, outside ${requirement.range}`);
    }
  }
  if (problems.length > 0) {
    throw invalidPackage(`cannot add "${manifest.name}": dependency ${problems.join(", dependency ")}`, {
      dependencies: problems,
    });
  }
}

export async function preparePackage(
  root: string,
  source: PackageSource,
  grant: unknown,
  bundler: Bundler,
): Promise<PreparedPackage> {
  const manifest = await readManifest(root);
  const granted = effectivePermissions(manifest.requested, parseGrant(grant, manifest.requested));
  const facts = { root, name: manifest.name, file: manifest.file, entry: manifest.entry };
  const { code, resolution } = await bundlePackage(bundler, facts);
  const integrity = await hashFolder(root);
  return { manifest, root, source, code, integrity, granted, resolution };
}

/** The record for a freshly prepared package, in state `installing`. */
export function recordOf(prepared: PreparedPackage, options: AddOptions, now = Date.now()): PackageRecord {
  const { manifest } = prepared;
  return {
    name: manifest.name,
    version: manifest.version,
    source: prepared.source,
    folder: prepared.root,
    state: "installing",
    desiredState: "stopped",
    error: null,
    manifest,
    granted: prepared.granted,
    env: options.env ?? {},
    config: options.config ?? {},
    integrity: prepared.integrity,
    dependencies: Object.fromEntries(Object.entries(manifest.dependencies).map(([name, dep]) => [name, dep.range])),
    resolved: rowsOf(prepared.resolution),
    installedAt: now,
    updatedAt: now,
  };
}
