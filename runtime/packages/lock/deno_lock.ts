// Deno 2's lockfile (`deno.lock`, version "4" or "5"): the versions its
// `specifiers` pin and the integrity its `npm` and `jsr` entries record, read as the resolution's constraints.

import { readFile } from "node:fs/promises";
import path from "node:path";
import semver from "semver";
import { invalidPackage } from "../../errors.ts";
import { parseSpecifier } from "../specifier.ts";

type Registry = "npm" | "jsr";

export interface DenoLock {
  /** The version the lock gives `registry:name@range`, or undefined when it says nothing of it. */
  version(registry: Registry, name: string, range: string): string | undefined;
  /** The integrity recorded for `name@version`: an SRI string (npm) or a sha256 hex (jsr). */
  integrity(registry: Registry, name: string, version: string): string | undefined;
}

const sameRange = (a: string, b: string) => a === b || (semver.validRange(a) !== null && semver.validRange(a) === semver.validRange(b));

/** `name@1.2.3_peer@4` to name and version. */
function splitKey(key: string): { name: string; version: string } | undefined {
  const at = key.indexOf("@", 1);
  if (at < 0) return undefined;
  return { name: key.slice(0, at), version: key.slice(at + 1).split("_")[0]! };
}

function entriesOf(section: unknown): Map<string, Map<string, string | undefined>> {
  const byName = new Map<string, Map<string, string | undefined>>();
  if (typeof section !== "object" || section === null) return byName;
  for (const [key, entry] of Object.entries(section)) {
    const parts = splitKey(key);
    if (!parts || semver.valid(parts.version) === null) continue;
    const integrity = (entry as { integrity?: unknown } | null)?.integrity;
    const versions = byName.get(parts.name) ?? new Map<string, string | undefined>();
    versions.set(parts.version, typeof integrity === "string" ? integrity : undefined);
    byName.set(parts.name, versions);
  }
  return byName;
}

/** Reads the package's deno.lock; undefined when it has none; a lock isopod cannot read is a 422. */
export async function readDenoLock(root: string): Promise<DenoLock | undefined> {
  const text = await readFile(path.join(root, "deno.lock"), "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  let lock: { version?: unknown; specifiers?: unknown; npm?: unknown; jsr?: unknown };
  try {
    lock = JSON.parse(text) as typeof lock;
  } catch {
    throw invalidPackage("deno.lock is not valid JSON");
  }
  if (lock.version !== "4" && lock.version !== "5") throw invalidPackage(`deno.lock is version ${JSON.stringify(lock.version)}; isopod reads versions "4" and "5" (run deno install with Deno 2 to update it)`);
  const specifiers: { registry: Registry; name: string; range: string; version: string }[] = [];
  for (const [key, value] of Object.entries((lock.specifiers ?? {}) as Record<string, unknown>)) {
    let spec;
    try {
      spec = parseSpecifier(key);
    } catch {
      continue;
    }
    if (spec && typeof value === "string") specifiers.push({ ...spec, version: value.split("_")[0]! });
  }
  const sections = { npm: entriesOf(lock.npm), jsr: entriesOf(lock.jsr) };
  return {
    version(registry, name, range) {
      const listed = specifiers.find((spec) => spec.registry === registry && spec.name === name && sameRange(spec.range, range));
      if (listed) return listed.version;
      const versions = [...(sections[registry].get(name)?.keys() ?? [])];
      return semver.maxSatisfying(versions, range, { includePrerelease: true }) ?? undefined;
    },
    integrity(registry, name, version) {
      return sections[registry].get(name)?.get(version);
    },
  };
}
