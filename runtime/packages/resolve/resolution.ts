// What a resolution is: the packages of one dependency graph, each in the
// cache, and which of them the package's own imports lead to. Stored in SQLite, read by the bundle step.

import type { ResolvedDependency } from "../../../db/index.ts";

export interface ResolvedPackage {
  name: string;
  version: string;
  /** The SRI string the archive was verified against. */
  integrity: string;
  /** The registry's URL. */
  registry: string;
  /** The cache entry, relative to the data folder's `cache/`. */
  entry: string;
  /**
   * Dependency name to the key (`name@version`) of the package it resolved to; for a JSR package, each
   * `jsr:`/`npm:` import without its subpath (`jsr:@std/path@^1`) to the key.
   */
  dependencies: Record<string, string>;
}

export interface Resolution {
  /** A root import without its subpath (`npm:hono@^4`, `jsr:@std/path@1`) to the key of the package it resolved to. */
  roots: Record<string, string>;
  packages: Record<string, ResolvedPackage>;
}

export const EMPTY_RESOLUTION: Resolution = { roots: {}, packages: {} };

/** The key of a resolved package: `name@version` for npm, `jsr:@scope/name@version` for JSR (its cache entry is under `jsr/`). */
export const keyOf = (resolved: Pick<ResolvedPackage, "name" | "version" | "entry">) =>
  resolved.entry.startsWith("jsr") ? `jsr:${resolved.name}@${resolved.version}` : `${resolved.name}@${resolved.version}`;

/** The shortest import chain from the package to `key`: `@me/app -> npm:a@1.0.0 -> npm:b@2.0.0`. */
export function chainTo(resolution: Resolution, rootName: string, key: string): string {
  const previous = new Map<string, string | undefined>();
  const queue: string[] = [];
  for (const target of Object.values(resolution.roots)) {
    if (!previous.has(target)) {
      previous.set(target, undefined);
      queue.push(target);
    }
  }
  for (let index = 0; index < queue.length; index++) {
    const current = queue[index]!;
    for (const next of Object.values(resolution.packages[current]?.dependencies ?? {})) {
      if (previous.has(next)) continue;
      previous.set(next, current);
      queue.push(next);
    }
  }
  const path: string[] = [];
  for (let at: string | undefined = key; at !== undefined && path.length <= queue.length; at = previous.get(at)) path.unshift(at.startsWith("jsr:") ? at : `npm:${at}`);
  return [rootName, ...path].join(" -> ");
}

/** `name@version` of each resolved package, sorted: what upgrade compares. */
export function versionsOf(resolution: Resolution): string[] {
  return Object.keys(resolution.packages).sort();
}

/** The rows SQLite keeps for a resolution. */
export function rowsOf(resolution: Resolution): ResolvedDependency[] {
  const roots = new Map<string, string[]>();
  for (const [root, key] of Object.entries(resolution.roots)) roots.set(key, [...(roots.get(key) ?? []), root]);
  return Object.entries(resolution.packages)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, resolved]) => ({ ...resolved, roots: (roots.get(key) ?? []).sort() }));
}

/** The resolution back from its rows. */
export function resolutionOf(rows: readonly ResolvedDependency[]): Resolution {
  const resolution: Resolution = { roots: {}, packages: {} };
  for (const { roots, ...resolved } of rows) {
    const key = keyOf(resolved);
    resolution.packages[key] = resolved;
    for (const root of roots) resolution.roots[root] = key;
  }
  return resolution;
}
