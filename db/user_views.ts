// Migration 3: the views users query (docs/sql.md), a contract that stays
// while the tables under them change; each time also as ISO-8601 text.

/** `at` (ms since the epoch) as `2025-01-31T12:00:00.000Z`, or NULL. */
const iso = (column: string) => `strftime('%Y-%m-%dT%H:%M:%fZ', ${column} / 1000.0, 'unixepoch')`;

// Package env and config are left out: they may hold secrets. Tokens are not a view.
export const USER_VIEWS_SQL = `
  CREATE VIEW v_packages AS SELECT
    name, version, state, desired_state,
    source_kind, source_url, source_ref, source_commit, source_path,
    error_code, error_message, error_at, ${iso("error_at")} AS error_at_iso,
    json_extract(manifest, '$.requested') AS requested, granted, integrity,
    installed_at, ${iso("installed_at")} AS installed_at_iso,
    updated_at, ${iso("updated_at")} AS updated_at_iso
  FROM packages;
  CREATE VIEW v_dependencies AS SELECT package, dependency, range FROM package_dependencies;
  CREATE VIEW v_operations AS SELECT
    id, at, ${iso("at")} AS at_iso, actor, operation, package, params, result, error_code, error_message, duration_ms
  FROM operations;
  CREATE VIEW v_samples AS SELECT
    id, at, ${iso("at")} AS at_iso, package, state, isolates, cpu_ms, heap_used_bytes, heap_limit_bytes,
    requests, errors, restarts, failures, uptime_ms, log_dropped
  FROM package_samples;
  CREATE VIEW v_resource_samples AS SELECT
    id, at, ${iso("at")} AS at_iso, resource, provider, calls, errors, timeouts, p50_ms, p99_ms
  FROM resource_samples;
  CREATE VIEW v_logs AS SELECT id, package, ts, ${iso("ts")} AS ts_iso, level, message FROM logs;
`;

/** The views, by name, for `isopod sql` and the tests. */
export const USER_VIEWS = ["v_packages", "v_dependencies", "v_operations", "v_samples", "v_resource_samples", "v_logs"] as const;
