// upgrade(name): fetch the package's source again; unchanged means nothing
// happens. Changed: validate, stop dependents and the package, swap, start them; roll back on failure.

import semver from "semver";
import type { PackageRecord, Store } from "../../db/index.ts";
import { effectivePermissions } from "../../sandbox/index.ts";
import type { Bundler } from "../packages/bundler.ts";
import { invalidPackage, IsopodError, messageOf, notFound } from "../errors.ts";
import { checkDependencies, preparePackage, recordOf } from "../packages/installer.ts";
import type { Manifest } from "../packages/manifest.ts";
import type { FetchedSource, Source } from "../sources/index.ts";

/** What the upgrade needs from the lifecycle; the package manager provides it. */
export interface UpgradeHost {
  store: Store;
  bundler: Bundler;
  sourceOf(record: PackageRecord): Source;
  /** Runs `fn` holding the locks of `name` and of every package that depends on it, directly or not. */
  exclusive<T>(name: string, fn: () => Promise<T>): Promise<T>;
  isRunning(name: string): boolean;
  /** Stops a package (its lock is held), keeping its desired state. */
  stop(name: string): Promise<void>;
  /** Starts a package (its lock is held); throws when it fails to start. */
  start(name: string): Promise<void>;
  /** Adds the missing dependencies that the new manifest declares with a `source`. */
  installDependencies(manifest: Manifest): Promise<void>;
}

export interface VersionInfo {
  version: string;
  commit?: string;
  integrity: string;
}

export interface UpgradeResult {
  status: "up_to_date" | "upgraded";
  record: PackageRecord;
  from: VersionInfo;
  to: VersionInfo;
}

function versionOf(record: PackageRecord): VersionInfo {
  return { version: record.version, ...(record.source.kind === "git" && { commit: record.source.commit }), integrity: record.integrity };
}

function describe(record: PackageRecord): string {
  return record.source.kind === "git" ? `${record.version} (${record.source.commit.slice(0, 7)})` : record.version;
}

function upgradeFailed(message: string, cause: unknown, rolledBack: boolean): IsopodError {
  const code = cause instanceof IsopodError ? cause.code : "internal";
  const reason = cause instanceof IsopodError && typeof cause.details.reason === "string" ? cause.details.reason : code;
  return new IsopodError("upgrade_failed", message, { rolledBack, reason, cause: { code, message: messageOf(cause) } });
}

/** Installed packages that depend on `name`, directly or not, deepest first: the order to stop them in. */
export function dependentsInStopOrder(name: string, store: Store): string[] {
  const order: string[] = [];
  const seen = new Set([name]);
  const visit = (current: string) => {
    for (const dependent of store.packages.dependentsOf(current)) {
      if (seen.has(dependent)) continue;
      seen.add(dependent);
      visit(dependent);
      order.push(dependent);
    }
  };
  visit(name);
  return order;
}

/** Refuses a new version that an installed dependent does not accept. */
function checkDependents(name: string, version: string, store: Store): void {
  const refusing = store.packages
    .dependentsOf(name)
    .map((dependent) => ({ dependent, range: store.packages.get(dependent)?.dependencies[name] }))
    .filter(({ range }) => range !== undefined && !semver.satisfies(version, range, { includePrerelease: true }));
  if (refusing.length > 0) {
    const list = refusing.map(({ dependent, range }) => `"${dependent}" needs ${range}`).join(", ");
    throw invalidPackage(`version ${version} of "${name}" is outside what its dependents accept: ${list}`);
  }
}

/** Validates and bundles the fetched files, and moves them into place: the record to swap in. */
async function prepareNext(old: PackageRecord, fetched: FetchedSource, host: UpgradeHost): Promise<PackageRecord> {
  const prepared = await preparePackage(fetched.root, fetched.source, undefined, host.bundler);
  const { manifest } = prepared;
  if (manifest.name !== old.name) throw invalidPackage(`the new version is named "${manifest.name}", not "${old.name}"`);
  await host.installDependencies(manifest);
  checkDependencies(manifest, host.store);
  checkDependents(old.name, manifest.version, host.store);
  const root = await fetched.settle(old.name);
  await host.bundler.store(prepared.integrity, prepared.code);
  // The grant stays what it was: a new request is capped by it.
  const granted = effectivePermissions(manifest.requested, old.granted);
  return {
    ...recordOf({ ...prepared, root }, { env: old.env, config: old.config }),
    granted,
    state: "installed",
    desiredState: old.desiredState,
    installedAt: old.installedAt,
  };
}

/** The installed files, as a fetch that found nothing new. */
function sameFiles(old: PackageRecord): FetchedSource {
  return { root: old.folder, source: old.source, settle: () => Promise.resolve(old.folder), discard: () => Promise.resolve() };
}

const resolvedVersions = (record: PackageRecord) => record.resolved.map((dep) => `${dep.registry} ${dep.name}@${dep.version} ${dep.integrity}`).sort().join("\n");

function sameResolution(old: PackageRecord, next: PackageRecord): boolean {
  return resolvedVersions(old) === resolvedVersions(next);
}

/** Starts the package (if it ran) and then its dependents; the first failure is thrown. */
async function startAll(name: string, wasRunning: boolean, dependents: string[], host: UpgradeHost): Promise<void> {
  if (wasRunning) await host.start(name);
  for (const dependent of [...dependents].reverse()) await host.start(dependent);
}

async function stopAll(name: string, dependents: string[], host: UpgradeHost): Promise<void> {
  for (const dependent of dependents) {
    if (host.isRunning(dependent)) await host.stop(dependent);
  }
  if (host.isRunning(name)) await host.stop(name);
}

/** Puts the previous version back and starts what ran before (each on its own); true when all of it runs again. */
async function rollBack(old: PackageRecord, wasRunning: boolean, dependents: string[], host: UpgradeHost): Promise<boolean> {
  const attempt = (work: () => Promise<void>) => work().then(() => true, () => false);
  let ok = await attempt(() => stopAll(old.name, dependents, host));
  host.store.packages.replace({ ...old, state: "installed", error: null, updatedAt: Date.now() });
  if (wasRunning) ok = (await attempt(() => host.start(old.name))) && ok;
  for (const dependent of [...dependents].reverse()) {
    ok = (await attempt(() => host.start(dependent))) && ok;
  }
  return ok;
}

async function swap(old: PackageRecord, next: PackageRecord, fetched: FetchedSource, host: UpgradeHost): Promise<UpgradeResult> {
  const wasRunning = host.isRunning(old.name);
  const dependents = dependentsInStopOrder(old.name, host.store).filter((name) => host.isRunning(name));
  try {
    await stopAll(old.name, dependents, host);
    host.store.packages.setState(old.name, "upgrading");
    host.store.packages.replace(next);
    await startAll(old.name, wasRunning, dependents, host);
  } catch (error) {
    // Same files, new dependencies: the cached bundle is the new one; the old one is bundled again from its resolution.
    if (next.integrity === old.integrity) await host.bundler.forget(old.integrity);
    const rolledBack = await rollBack(old, wasRunning, dependents, host);
    await fetched.discard();
    const outcome = rolledBack ? `rolled back to ${describe(old)}` : `rolling back to ${describe(old)} failed too`;
    throw upgradeFailed(`cannot upgrade "${old.name}" to ${describe(next)}: ${messageOf(error)}; ${outcome}`, error, rolledBack);
  }
  // The previous version stays on disk until the next successful upgrade.
  await host.sourceOf(next).prune(old.name, [next.folder, old.folder]);
  return { status: "upgraded", record: host.store.packages.get(old.name)!, from: versionOf(old), to: versionOf(next) };
}

/**
 * Upgrades an installed package from its source.
 *
 * @example
 * const result = await upgradePackage("@acme/clock", host);
 * result.status; // "up_to_date" when the branch still points at the recorded commit
 */
export function upgradePackage(name: string, host: UpgradeHost): Promise<UpgradeResult> {
  return host.exclusive(name, async () => {
    const old = host.store.packages.get(name);
    if (!old) throw notFound(`package "${name}" is not installed`);
    const refreshed = await host.sourceOf(old).refresh(old);
    if (!refreshed && old.resolved.length === 0) return { status: "up_to_date", record: old, from: versionOf(old), to: versionOf(old) };
    // Unchanged files: the npm and JSR dependencies are resolved again within their ranges.
    const fetched = refreshed ?? sameFiles(old);
    let next: PackageRecord;
    try {
      next = await prepareNext(old, fetched, host);
    } catch (error) {
      await fetched.discard();
      throw upgradeFailed(`cannot upgrade "${name}": the new version is not valid: ${messageOf(error)}; nothing changed`, error, true);
    }
    if (!refreshed && sameResolution(old, next)) return { status: "up_to_date", record: old, from: versionOf(old), to: versionOf(old) };
    return swap(old, next, fetched, host);
  });
}
