// Rows of the `packages` table and their dependencies, in the host's types.

import { entriesInUse, readAllResolutions, readResolution, writeResolution, type ResolvedDependency } from "./resolution_rows.ts";
import type { Database, Statement } from "./sqlite.ts";
import type { Manifest, PackageSource, PermissionSet } from "../common/package_types.ts";

export type { PackageSource };

export type PackageState =
  | "installing"
  | "installed"
  | "starting"
  | "running"
  | "stopping"
  | "failed"
  | "upgrading"
  | "deleted";
export type DesiredState = "running" | "stopped";

export interface PackageError {
  code: string;
  message: string;
  /** Milliseconds since the epoch. */
  at: number;
}

export interface PackageRecord {
  name: string;
  version: string;
  source: PackageSource;
  /** The folder the package's files are read from. */
  folder: string;
  state: PackageState;
  desiredState: DesiredState;
  error: PackageError | null;
  /** The validated manifest. */
  manifest: Manifest;
  /** The effective permission set. */
  granted: PermissionSet;
  env: Record<string, string>;
  config: Record<string, unknown>;
  integrity: string;
  dependencies: Record<string, string>;
  /** The npm and JSR packages its imports resolved to; empty when it imports none. */
  resolved: ResolvedDependency[];
  installedAt: number;
  updatedAt: number;
}

interface PackageRow {
  name: string;
  version: string;
  source_kind: "path" | "git";
  source_url: string | null;
  source_ref: string | null;
  source_commit: string | null;
  source_path: string | null;
  folder: string;
  state: PackageState;
  desired_state: DesiredState;
  error_code: string | null;
  error_message: string | null;
  error_at: number | null;
  manifest: string;
  granted: string;
  env: string;
  config: string;
  integrity: string;
  installed_at: number;
  updated_at: number;
}

function sourceOf(row: PackageRow): PackageSource {
  if (row.source_kind === "path") return { kind: "path", path: row.source_path ?? row.folder };
  const source: PackageSource = { kind: "git", url: row.source_url ?? "", ref: row.source_ref ?? "", commit: row.source_commit ?? "" };
  if (row.source_path !== null) source.path = row.source_path;
  return source;
}

export class PackageStore {
  readonly #db: Database;
  readonly #statements = new Map<string, Statement>();
  #revision = 0;

  constructor(db: Database) {
    this.#db = db;
  }

  /** Bumped whenever the set of packages or their dependencies changes: a key for what is derived from them. */
  get revision(): number {
    return this.#revision;
  }

  /** Each SQL text prepared once: preparing costs more than running these small statements. */
  #sql(text: string): Statement {
    let statement = this.#statements.get(text);
    if (!statement) {
      statement = this.#db.prepare(text);
      this.#statements.set(text, statement);
    }
    return statement;
  }

  #dependenciesOf(name: string): Record<string, string> {
    const rows = this.#sql("SELECT dependency, range FROM package_dependencies WHERE package = ? ORDER BY dependency")
      .all(name) as { dependency: string; range: string }[];
    return Object.fromEntries(rows.map((row) => [row.dependency, row.range]));
  }

  #recordOf(row: PackageRow, dependencies = this.#dependenciesOf(row.name), resolved = readResolution(this.#db, row.name)): PackageRecord {
    return {
      name: row.name,
      version: row.version,
      source: sourceOf(row),
      folder: row.folder,
      state: row.state,
      desiredState: row.desired_state,
      error:
        row.error_code === null
          ? null
          : { code: row.error_code, message: row.error_message ?? "", at: row.error_at ?? 0 },
      manifest: JSON.parse(row.manifest) as Manifest,
      granted: JSON.parse(row.granted) as PermissionSet,
      env: JSON.parse(row.env) as Record<string, string>,
      config: JSON.parse(row.config) as Record<string, unknown>,
      integrity: row.integrity,
      dependencies,
      resolved,
      installedAt: row.installed_at,
      updatedAt: row.updated_at,
    };
  }

  /** A package that is not deleted, or undefined. */
  get(name: string): PackageRecord | undefined {
    const row = this.#sql("SELECT * FROM packages WHERE name = ? AND state != 'deleted'").get(name) as
      | PackageRow
      | undefined;
    return row && this.#recordOf(row);
  }

  /** Every package that is not deleted, by name (three queries, whatever the count). */
  list(): PackageRecord[] {
    const rows = this.#sql("SELECT * FROM packages WHERE state != 'deleted' ORDER BY name").all() as PackageRow[];
    const dependencies = this.#allDependencies();
    const resolutions = readAllResolutions(this.#db);
    return rows.map((row) => this.#recordOf(row, dependencies.get(row.name) ?? {}, resolutions.get(row.name) ?? []));
  }

  /** The package installed from this folder or URL, if any (an add of what is already there). */
  findBySource(kind: "path" | "git", location: string): PackageRecord | undefined {
    const column = kind === "path" ? "COALESCE(source_path, folder)" : "source_url";
    const row = this.#sql(`SELECT * FROM packages WHERE source_kind = ? AND ${column} = ? AND state != 'deleted' ORDER BY name LIMIT 1`)
      .get(kind, location) as PackageRow | undefined;
    return row && this.#recordOf(row);
  }

  /** Each package that is not deleted with the names it declares: what the dependency graph is built from. */
  dependencyEdges(): [string, string[]][] {
    const names = this.#sql("SELECT name FROM packages WHERE state != 'deleted' ORDER BY name").pluck().all() as string[];
    const dependencies = this.#allDependencies();
    return names.map((name) => [name, Object.keys(dependencies.get(name) ?? {})]);
  }

  #allDependencies(): Map<string, Record<string, string>> {
    const rows = this.#sql("SELECT package, dependency, range FROM package_dependencies ORDER BY package, dependency").all() as {
      package: string;
      dependency: string;
      range: string;
    }[];
    const byPackage = new Map<string, Record<string, string>>();
    for (const row of rows) {
      let own = byPackage.get(row.package);
      if (!own) byPackage.set(row.package, (own = {}));
      own[row.dependency] = row.range;
    }
    return byPackage;
  }

  /** Inserts a package, replacing a deleted row of the same name (its history stays in `operations`). */
  insert(record: PackageRecord): void {
    this.#revision++;
    this.#db.transaction(() => {
      this.#sql("DELETE FROM packages WHERE name = ? AND state = 'deleted'").run(record.name);
      this.#sql(
        `INSERT INTO packages (name, version, source_kind, source_url, source_ref, source_commit, source_path,
             folder, state, desired_state, error_code, error_message, error_at, manifest, granted, env, config,
             integrity, installed_at, updated_at)
           VALUES (@name, @version, @source_kind, @source_url, @source_ref, @source_commit, @source_path,
             @folder, @state, @desired_state, @error_code, @error_message, @error_at, @manifest, @granted, @env,
             @config, @integrity, @installed_at, @updated_at)`,
      ).run(this.#rowOf(record));
      this.#writeDependencies(record.name, record.dependencies);
      writeResolution(this.#db, record.name, record.resolved);
    })();
  }

  /** Replaces everything about an existing package (reload, upgrade). */
  replace(record: PackageRecord): void {
    this.#revision++;
    this.#db.transaction(() => {
      this.#sql(
        `UPDATE packages SET version = @version, source_kind = @source_kind, source_url = @source_url,
             source_ref = @source_ref, source_commit = @source_commit, source_path = @source_path, folder = @folder,
             state = @state, desired_state = @desired_state, error_code = @error_code,
             error_message = @error_message, error_at = @error_at, manifest = @manifest, granted = @granted,
             env = @env, config = @config, integrity = @integrity, updated_at = @updated_at
           WHERE name = @name`,
      ).run(this.#rowOf(record));
      this.#writeDependencies(record.name, record.dependencies);
      writeResolution(this.#db, record.name, record.resolved);
    })();
  }

  #writeDependencies(name: string, dependencies: Record<string, string>): void {
    this.#sql("DELETE FROM package_dependencies WHERE package = ?").run(name);
    const insert = this.#sql("INSERT INTO package_dependencies (package, dependency, range) VALUES (?, ?, ?)");
    for (const [dependency, range] of Object.entries(dependencies)) insert.run(name, dependency, range);
  }

  #rowOf(record: PackageRecord): PackageRow {
    return {
      name: record.name,
      version: record.version,
      source_kind: record.source.kind,
      source_url: record.source.kind === "git" ? record.source.url : null,
      source_ref: record.source.kind === "git" ? record.source.ref : null,
      source_commit: record.source.kind === "git" ? record.source.commit : null,
      source_path: record.source.path ?? null,
      folder: record.folder,
      state: record.state,
      desired_state: record.desiredState,
      error_code: record.error?.code ?? null,
      error_message: record.error?.message ?? null,
      error_at: record.error?.at ?? null,
      manifest: JSON.stringify(record.manifest),
      granted: JSON.stringify(record.granted),
      env: JSON.stringify(record.env),
      config: JSON.stringify(record.config),
      integrity: record.integrity,
      installed_at: record.installedAt,
      updated_at: record.updatedAt,
    };
  }

  /** Sets the state, and the error with it: a state other than `failed` clears the error. */
  setState(name: string, state: PackageState, error: PackageError | null = null): void {
    if (state === "deleted") this.#revision++;
    this.#sql(
      `UPDATE packages SET state = ?, error_code = ?, error_message = ?, error_at = ?, updated_at = ?
       WHERE name = ?`,
    ).run(state, error?.code ?? null, error?.message ?? null, error?.at ?? null, Date.now(), name);
  }

  setDesiredState(name: string, desired: DesiredState): void {
    this.#sql("UPDATE packages SET desired_state = ?, updated_at = ? WHERE name = ?").run(desired, Date.now(), name);
  }

  /** Removes a row that never finished installing. */
  remove(name: string): void {
    this.#revision++;
    this.#sql("DELETE FROM packages WHERE name = ?").run(name);
  }

  /** The dependency cache entries some package that is not deleted uses. */
  cacheEntriesInUse(): Set<string> {
    return entriesInUse(this.#db);
  }

  /** Installed packages whose manifest declares `name` as a dependency. */
  dependentsOf(name: string): string[] {
    const rows = this.#sql(
      `SELECT d.package AS name FROM package_dependencies d JOIN packages p ON p.name = d.package
         WHERE d.dependency = ? AND p.state != 'deleted' ORDER BY d.package`,
    ).all(name) as { name: string }[];
    return rows.map((row) => row.name);
  }
}
