// Versioned schema migrations, tracked in SQLite's `user_version`. Append new
// steps to MIGRATIONS; never edit one that has shipped.

import type { Database } from "./sqlite.ts";
import { USER_VIEWS_SQL } from "./user_views.ts";

const MIGRATIONS: readonly string[] = [
  // 1: packages, their dependencies, the audit log, tokens, captured logs.
  `
  CREATE TABLE packages (
    name            TEXT PRIMARY KEY,
    version         TEXT NOT NULL,
    source_kind     TEXT NOT NULL CHECK (source_kind IN ('path', 'git')),
    source_url      TEXT,
    source_ref      TEXT,
    source_commit   TEXT,
    source_path     TEXT,
    folder          TEXT NOT NULL,
    state           TEXT NOT NULL,
    desired_state   TEXT NOT NULL CHECK (desired_state IN ('running', 'stopped')),
    error_code      TEXT,
    error_message   TEXT,
    error_at        INTEGER,
    manifest        TEXT NOT NULL,
    granted         TEXT NOT NULL,
    env             TEXT NOT NULL DEFAULT '{}',
    config          TEXT NOT NULL DEFAULT '{}',
    integrity       TEXT NOT NULL,
    installed_at    INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
  );
  CREATE TABLE package_dependencies (
    package     TEXT NOT NULL REFERENCES packages(name) ON DELETE CASCADE,
    dependency  TEXT NOT NULL,
    range       TEXT NOT NULL,
    PRIMARY KEY (package, dependency)
  );
  CREATE INDEX package_dependencies_by_dependency ON package_dependencies(dependency);
  CREATE TABLE operations (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at           INTEGER NOT NULL,
    actor        TEXT NOT NULL,
    operation    TEXT NOT NULL,
    package      TEXT,
    params       TEXT NOT NULL DEFAULT '{}',
    result       TEXT NOT NULL CHECK (result IN ('ok', 'error')),
    error_code   TEXT,
    error_message TEXT,
    duration_ms  INTEGER NOT NULL
  );
  CREATE INDEX operations_by_package ON operations(package, id);
  CREATE TABLE tokens (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
    hash          TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER,
    revoked_at    INTEGER
  );
  CREATE TABLE logs (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    package  TEXT NOT NULL,
    ts       INTEGER NOT NULL,
    level    TEXT NOT NULL,
    message  TEXT NOT NULL
  );
  CREATE INDEX logs_by_package ON logs(package, id);
  `,
  // 2: statistics samples per package and per registry resource; indexes for retention by age.
  `
  CREATE TABLE package_samples (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    at               INTEGER NOT NULL,
    package          TEXT NOT NULL,
    state            TEXT NOT NULL,
    isolates         INTEGER NOT NULL,
    cpu_ms           REAL NOT NULL,
    heap_used_bytes  INTEGER NOT NULL,
    heap_limit_bytes INTEGER NOT NULL,
    requests         INTEGER NOT NULL,
    errors           INTEGER NOT NULL,
    restarts         INTEGER NOT NULL,
    failures         INTEGER NOT NULL,
    uptime_ms        INTEGER NOT NULL,
    log_dropped      INTEGER NOT NULL
  );
  CREATE INDEX package_samples_by_package ON package_samples(package, id);
  CREATE INDEX package_samples_by_at ON package_samples(at);
  CREATE TABLE resource_samples (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    resource    TEXT NOT NULL,
    provider    TEXT NOT NULL,
    calls       INTEGER NOT NULL,
    errors      INTEGER NOT NULL,
    timeouts    INTEGER NOT NULL,
    p50_ms      REAL,
    p99_ms      REAL
  );
  CREATE INDEX resource_samples_by_resource ON resource_samples(resource, id);
  CREATE INDEX resource_samples_by_at ON resource_samples(at);
  CREATE INDEX logs_by_ts ON logs(ts);
  CREATE INDEX operations_by_at ON operations(at);
  `,
  // 3: the npm and JSR packages each installed package's imports resolved to (docs/npm_and_jsr.md).
  `
  CREATE TABLE package_resolutions (
    package       TEXT NOT NULL REFERENCES packages(name) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    version       TEXT NOT NULL,
    integrity     TEXT NOT NULL,
    registry      TEXT NOT NULL,
    cache_entry   TEXT NOT NULL,
    dependencies  TEXT NOT NULL DEFAULT '{}',
    roots         TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (package, name, version)
  );
  CREATE INDEX package_resolutions_by_entry ON package_resolutions(cache_entry);
  `,
  // 4: the views users query (docs/sql.md).
  USER_VIEWS_SQL,
];

/** Brings the schema up to the newest version, each step in its own transaction. */
export function migrate(db: Database): number {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `database schema version ${current} is newer than this isopod knows (${MIGRATIONS.length}); upgrade isopod`,
    );
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
  return MIGRATIONS.length;
}
