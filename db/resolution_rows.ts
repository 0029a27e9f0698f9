// Rows of `package_resolutions`: the npm and JSR packages an installed
// package's imports resolved to, written and read with the package's own row.

import type { Database } from "./sqlite.ts";

export interface ResolvedDependency {
  name: string;
  version: string;
  integrity: string;
  /** The registry's URL. */
  registry: string;
  /** The cache entry, relative to the data folder's `cache/`. */
  entry: string;
  /** Dependency name to `name@version` of what it resolved to. */
  dependencies: Record<string, string>;
  /** The package's own imports (`npm:hono@^4`) that resolved to this one. */
  roots: string[];
}

interface Row {
  name: string;
  version: string;
  integrity: string;
  registry: string;
  cache_entry: string;
  dependencies: string;
  roots: string;
}

function resolvedOf(row: Row): ResolvedDependency {
  return {
    name: row.name,
    version: row.version,
    integrity: row.integrity,
    registry: row.registry,
    entry: row.cache_entry,
    dependencies: JSON.parse(row.dependencies) as Record<string, string>,
    roots: JSON.parse(row.roots) as string[],
  };
}

export function readResolution(db: Database, name: string): ResolvedDependency[] {
  const rows = db.prepare("SELECT * FROM package_resolutions WHERE package = ? ORDER BY name, version").all(name) as Row[];
  return rows.map(resolvedOf);
}

/** Every package's rows in one query, by package (for listing them all). */
export function readAllResolutions(db: Database): Map<string, ResolvedDependency[]> {
  const rows = db.prepare("SELECT * FROM package_resolutions ORDER BY package, name, version").all() as (Row & { package: string })[];
  const byPackage = new Map<string, ResolvedDependency[]>();
  for (const row of rows) {
    let own = byPackage.get(row.package);
    if (!own) byPackage.set(row.package, (own = []));
    own.push(resolvedOf(row));
  }
  return byPackage;
}

/** Replaces the package's rows; call inside the transaction that writes the package. */
export function writeResolution(db: Database, name: string, resolved: readonly ResolvedDependency[]): void {
  db.prepare("DELETE FROM package_resolutions WHERE package = ?").run(name);
  const insert = db.prepare(
    `INSERT INTO package_resolutions (package, name, version, integrity, registry, cache_entry, dependencies, roots)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const row of resolved) {
    insert.run(name, row.name, row.version, row.integrity, row.registry, row.entry, JSON.stringify(row.dependencies), JSON.stringify(row.roots));
  }
}

/** Cache entries used by a package that is not deleted: what pruning keeps. */
export function entriesInUse(db: Database): Set<string> {
  const rows = db
    .prepare(
      `SELECT DISTINCT r.cache_entry AS entry FROM package_resolutions r JOIN packages p ON p.name = r.package
       WHERE p.state != 'deleted'`,
    )
    .all() as { entry: string }[];
  return new Set(rows.map((row) => row.entry));
}
