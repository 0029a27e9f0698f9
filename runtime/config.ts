// The host's configuration, read from the environment once at start-up.
// Every field documents its default; docs/configuration.md lists them for operators.

import path from "node:path";
import { dependencyConfigFrom, type DependencyConfig } from "./packages/config.ts";
import { fleetFromEnv, type FleetConfig } from "./fleet/fleet_config.ts";

export interface HostConfig {
  /** Interface to listen on. `ISOPOD_HOST`, default `127.0.0.1`. */
  host: string;
  /** Port to listen on; 0 picks a free one. `ISOPOD_PORT`, default `8787`. */
  port: number;
  /** Port of the Redis-protocol door (resp/); 0 picks a free one, null keeps it closed. `ISOPOD_RESP_PORT`, unset (closed) by default. */
  respPort: number | null;
  /**
   * Port the sandbox process serves `/pkg/{name}/*` on itself (the data plane: no hop through this process);
   * 0 picks a free one. `ISOPOD_PKG_PORT`, unset by default (then `/pkg` is served on the admin port only).
   */
  pkgPort: number | undefined;
  /** Data folder: SQLite, package files, tokens. `ISOPOD_DATA`, default `./.isopod`. */
  dataDir: string;
  /** An admin token accepted beside the stored ones. `ISOPOD_ADMIN_TOKEN`, unset by default. */
  adminToken: string | undefined;
  /** GitHub API base URL. `ISOPOD_GITHUB_API`, default `https://api.github.com`. */
  githubApi: string;
  /** Token for private repositories. `GITHUB_TOKEN`, unset by default. */
  githubToken: string | undefined;
  /** Retries after GitHub is unreachable or answers 5xx. `ISOPOD_GITHUB_RETRIES`, default 2. */
  githubRetries: number;
  /** First backoff delay before a retry; doubled each time. `ISOPOD_GITHUB_RETRY_DELAY_MS`, default 500. */
  githubRetryDelayMs: number;
  /** Longest wait for one GitHub answer, or between two chunks of a download. `ISOPOD_GITHUB_TIMEOUT_MS`, default 30000. */
  githubTimeoutMs: number;
  /** Bounds on a fetched archive (docs/reference/limits.md#archive-bounds). */
  archive: ArchiveBounds;
  /** Upper bounds the host puts on what a package may request. */
  caps: LimitCaps;
  /** The restart policy's defaults and floor (docs/limits.md). */
  restart: RestartConfig;
  /** How long stop, reload, upgrade and delete wait for a package's in-flight requests. `ISOPOD_STOP_GRACE_MS`, default 5000. */
  stopGraceMs: number;
  /** How long an operation waits for another one on the same package. `ISOPOD_LOCK_WAIT_MS`, default 10000. */
  lockWaitMs: number;
  /** Captured log lines kept per package. `ISOPOD_LOG_LINES`, default 1000. */
  logLinesPerPackage: number;
  /** Console output taken in and kept per package, and log followers. */
  logs: LogConfig;
  /** How often statistics are sampled into SQLite; 0 turns sampling off. `ISOPOD_STATS_INTERVAL_MS`, default 10000. */
  statsIntervalMs: number;
  /** Bounds on the logs, statistics samples and audit log kept in SQLite. */
  retention: RetentionConfig;
  /** Where the isolates run, and how their sandbox process is restarted. */
  sandbox: SandboxConfig;
  /** Registries and bounds for npm and JSR dependencies (runtime/packages/config.ts). */
  dependencies: DependencyConfig;
  /** The fleet this host belongs to (docs/fleet.md); undefined: a host alone. `ISOPOD_FLEET` and `ISOPOD_FLEET_*`. */
  fleet: FleetConfig | undefined;
}

export interface SandboxConfig {
  /**
   * `process`: the isolates run in a sandbox process that the host supervises, so a V8 fatal
   * error takes down only that process. `inline`: in the host's own process (tests, debugging).
   * `ISOPOD_SANDBOX`, default `process`.
   */
  mode: "process" | "inline";
  /** Delay before restarting a crashed sandbox process, doubled per crash in the window (at most 10 s). `ISOPOD_SANDBOX_BACKOFF_MS`, default 100. */
  backoffMs: number;
  /** Crashes within the window past which the packages are no longer brought back. `ISOPOD_SANDBOX_MAX_CRASHES`, default 5. */
  maxCrashes: number;
  /** `ISOPOD_SANDBOX_CRASH_WINDOW_MS`, default 60000. */
  crashWindowMs: number;
  /** Sandbox processes, each running every package and sharing the data port (docs/sandbox_process.md). `ISOPOD_SANDBOX_PROCESSES`, default 1. */
  processes: number;
}

export interface LogConfig {
  /** Bytes of captured log text kept per package (oldest lines go first). `ISOPOD_LOG_BYTES`, default 1 MiB. */
  bytesPerPackage: number;
  /** Console lines a package may write per second (and in one burst); 0: no limit. `ISOPOD_LOG_RATE_LINES`, default 1000. */
  rateLines: number;
  /** Console bytes a package may write per second (and in one burst); 0: no limit. `ISOPOD_LOG_RATE_BYTES`, default 1 MiB. */
  rateBytes: number;
  /** Log followers (`?follow=true`) open at once, over all packages. `ISOPOD_LOG_FOLLOWERS`, default 256. */
  maxFollowers: number;
}

/** A bound by count and by age; whichever is reached first wins. An age of 0 means no age bound. */
export interface RetentionBound {
  maxRows: number;
  maxAgeMs: number;
}

export interface RetentionConfig {
  /** How often retention runs; it also runs at boot. `ISOPOD_RETENTION_INTERVAL_MS`, default 600000 (10 min). */
  intervalMs: number;
  /** `ISOPOD_LOG_MAX_ROWS` (100000), `ISOPOD_LOG_MAX_BYTES` (64 MiB), `ISOPOD_LOG_MAX_AGE_DAYS` (14), over all packages. */
  logs: RetentionBound & { maxBytes: number };
  /** Statistics samples. `ISOPOD_STATS_MAX_ROWS` (200000), `ISOPOD_STATS_MAX_AGE_DAYS` (7). */
  samples: RetentionBound;
  /** The audit log. `ISOPOD_AUDIT_MAX_ROWS` (100000), `ISOPOD_AUDIT_MAX_AGE_DAYS` (365). */
  audit: RetentionBound;
}

export interface LimitCaps {
  /** Largest heap a package may ask for, in MiB. `ISOPOD_MAX_MEMORY_MB`, default 512. */
  maxMemoryMb: number;
  /** Longest wall time per hook or request. `ISOPOD_MAX_TIMEOUT_MS`, default 60000. */
  maxTimeoutMs: number;
  /** Heap given when a package asks for none, in MiB. Default 64. */
  defaultMemoryMb: number;
  /** Wall time given when a package asks for none. `ISOPOD_DEFAULT_TIMEOUT_MS`, default 5000. */
  defaultTimeoutMs: number;
  /** Most CPU time per hook or request. `ISOPOD_MAX_CPU_MS`, default 60000. */
  maxCpuMs: number;
  /** CPU time per hook or request given when a package asks for none. `ISOPOD_DEFAULT_CPU_MS`, default 2000. */
  defaultCpuMs: number;
}

/** What a package gets when its manifest says nothing under `isopod.restart`, and the floor on its delays. */
export interface RestartConfig {
  /** Restarts within the window before the package stays failed (0: never restarted). `ISOPOD_RESTART_MAX_RESTARTS`, default 5. */
  maxRestarts: number;
  /** The window failures are counted in. `ISOPOD_RESTART_WINDOW_MS`, default 60000. */
  windowMs: number;
  /** Delay before the first restart; doubled for each failure in the window. `ISOPOD_RESTART_BACKOFF_MS`, default 500. */
  backoffMs: number;
  /** Longest delay before a restart. `ISOPOD_RESTART_MAX_BACKOFF_MS`, default 30000. */
  maxBackoffMs: number;
  /** No package's delays go below this, whatever its manifest says. `ISOPOD_RESTART_MIN_BACKOFF_MS`, default 100. */
  minBackoffMs: number;
}

/** What a fetched archive may hold; past any bound the whole add fails with 422 `invalid_archive`. */
export interface ArchiveBounds {
  /** Compressed bytes downloaded. `ISOPOD_ARCHIVE_MAX_DOWNLOAD_BYTES`, default 100 MiB. */
  maxDownloadBytes: number;
  /** The whole archive, decompressed (bounds a gzip bomb). `ISOPOD_ARCHIVE_MAX_EXPANDED_BYTES`, default 1 GiB. */
  maxExpandedBytes: number;
  /** Bytes written for the package folder. `ISOPOD_ARCHIVE_MAX_PACKAGE_BYTES`, default 50 MiB. */
  maxPackageBytes: number;
  /** Files and folders written for the package. `ISOPOD_ARCHIVE_MAX_FILES`, default 10000. */
  maxFiles: number;
  /** Folder depth inside the package. `ISOPOD_ARCHIVE_MAX_DEPTH`, default 32. */
  maxDepth: number;
  /** Bytes in one file or folder name. `ISOPOD_ARCHIVE_MAX_NAME_BYTES`, default 255. */
  maxNameBytes: number;
  /** Bytes in a path inside the package. `ISOPOD_ARCHIVE_MAX_PATH_BYTES`, default 1024. */
  maxPathBytes: number;
}

type Env = Record<string, string | undefined>;

const DAY_MS = 24 * 60 * 60 * 1000;
const MIB = 1024 * 1024;

function intFrom(env: Env, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`invalid configuration: ${key}=${JSON.stringify(raw)} is not a whole number`);
  }
  return value;
}

/** A whole number of at least 1: a count bound of 0 would keep nothing, or mean "unbounded" by accident. */
function positiveFrom(env: Env, key: string, fallback: number): number {
  const value = intFrom(env, key, fallback);
  if (value < 1) throw new Error(`invalid configuration: ${key}=${JSON.stringify(env[key])} must be at least 1`);
  return value;
}

function sandboxFromEnv(env: Env): SandboxConfig {
  const mode = env.ISOPOD_SANDBOX || "process";
  if (mode !== "process" && mode !== "inline") {
    throw new Error(`invalid configuration: ISOPOD_SANDBOX=${JSON.stringify(mode)} is neither "process" nor "inline"`);
  }
  return {
    mode,
    backoffMs: positiveFrom(env, "ISOPOD_SANDBOX_BACKOFF_MS", 100),
    maxCrashes: positiveFrom(env, "ISOPOD_SANDBOX_MAX_CRASHES", 5),
    crashWindowMs: positiveFrom(env, "ISOPOD_SANDBOX_CRASH_WINDOW_MS", 60_000),
    processes: positiveFrom(env, "ISOPOD_SANDBOX_PROCESSES", 1),
  };
}

function retentionFromEnv(env: Env): RetentionConfig {
  return {
    intervalMs: positiveFrom(env, "ISOPOD_RETENTION_INTERVAL_MS", 600_000),
    logs: {
      maxRows: positiveFrom(env, "ISOPOD_LOG_MAX_ROWS", 100_000),
      maxBytes: positiveFrom(env, "ISOPOD_LOG_MAX_BYTES", 64 * MIB),
      maxAgeMs: intFrom(env, "ISOPOD_LOG_MAX_AGE_DAYS", 14) * DAY_MS,
    },
    samples: {
      maxRows: positiveFrom(env, "ISOPOD_STATS_MAX_ROWS", 200_000),
      maxAgeMs: intFrom(env, "ISOPOD_STATS_MAX_AGE_DAYS", 7) * DAY_MS,
    },
    audit: {
      maxRows: positiveFrom(env, "ISOPOD_AUDIT_MAX_ROWS", 100_000),
      maxAgeMs: intFrom(env, "ISOPOD_AUDIT_MAX_AGE_DAYS", 365) * DAY_MS,
    },
  };
}

export function configFromEnv(env: Env = process.env, cwd = process.cwd()): HostConfig {
  return {
    host: env.ISOPOD_HOST || "127.0.0.1",
    port: intFrom(env, "ISOPOD_PORT", 8787),
    respPort: env.ISOPOD_RESP_PORT ? intFrom(env, "ISOPOD_RESP_PORT", 0) : null,
    pkgPort: env.ISOPOD_PKG_PORT ? intFrom(env, "ISOPOD_PKG_PORT", 0) : undefined,
    dataDir: path.resolve(cwd, env.ISOPOD_DATA || ".isopod"),
    adminToken: env.ISOPOD_ADMIN_TOKEN || undefined,
    githubApi: env.ISOPOD_GITHUB_API || "https://api.github.com",
    githubToken: env.GITHUB_TOKEN || undefined,
    githubRetries: intFrom(env, "ISOPOD_GITHUB_RETRIES", 2),
    githubRetryDelayMs: intFrom(env, "ISOPOD_GITHUB_RETRY_DELAY_MS", 500),
    githubTimeoutMs: intFrom(env, "ISOPOD_GITHUB_TIMEOUT_MS", 30_000),
    archive: {
      maxDownloadBytes: intFrom(env, "ISOPOD_ARCHIVE_MAX_DOWNLOAD_BYTES", 100 * MIB),
      maxExpandedBytes: intFrom(env, "ISOPOD_ARCHIVE_MAX_EXPANDED_BYTES", 1024 * MIB),
      maxPackageBytes: intFrom(env, "ISOPOD_ARCHIVE_MAX_PACKAGE_BYTES", 50 * MIB),
      maxFiles: intFrom(env, "ISOPOD_ARCHIVE_MAX_FILES", 10_000),
      maxDepth: intFrom(env, "ISOPOD_ARCHIVE_MAX_DEPTH", 32),
      maxNameBytes: intFrom(env, "ISOPOD_ARCHIVE_MAX_NAME_BYTES", 255),
      maxPathBytes: intFrom(env, "ISOPOD_ARCHIVE_MAX_PATH_BYTES", 1024),
    },
    caps: {
      maxMemoryMb: intFrom(env, "ISOPOD_MAX_MEMORY_MB", 512),
      maxTimeoutMs: intFrom(env, "ISOPOD_MAX_TIMEOUT_MS", 60_000),
      defaultMemoryMb: intFrom(env, "ISOPOD_DEFAULT_MEMORY_MB", 64),
      defaultTimeoutMs: intFrom(env, "ISOPOD_DEFAULT_TIMEOUT_MS", 5_000),
      maxCpuMs: positiveFrom(env, "ISOPOD_MAX_CPU_MS", 60_000),
      defaultCpuMs: positiveFrom(env, "ISOPOD_DEFAULT_CPU_MS", 2_000),
    },
    restart: {
      maxRestarts: intFrom(env, "ISOPOD_RESTART_MAX_RESTARTS", 5),
      windowMs: positiveFrom(env, "ISOPOD_RESTART_WINDOW_MS", 60_000),
      backoffMs: positiveFrom(env, "ISOPOD_RESTART_BACKOFF_MS", 500),
      maxBackoffMs: positiveFrom(env, "ISOPOD_RESTART_MAX_BACKOFF_MS", 30_000),
      minBackoffMs: positiveFrom(env, "ISOPOD_RESTART_MIN_BACKOFF_MS", 100),
    },
    stopGraceMs: intFrom(env, "ISOPOD_STOP_GRACE_MS", 5_000),
    lockWaitMs: intFrom(env, "ISOPOD_LOCK_WAIT_MS", 10_000),
    logLinesPerPackage: positiveFrom(env, "ISOPOD_LOG_LINES", 1_000),
    logs: {
      bytesPerPackage: positiveFrom(env, "ISOPOD_LOG_BYTES", MIB),
      rateLines: intFrom(env, "ISOPOD_LOG_RATE_LINES", 1_000),
      rateBytes: intFrom(env, "ISOPOD_LOG_RATE_BYTES", MIB),
      maxFollowers: positiveFrom(env, "ISOPOD_LOG_FOLLOWERS", 256),
    },
    statsIntervalMs: intFrom(env, "ISOPOD_STATS_INTERVAL_MS", 10_000),
    retention: retentionFromEnv(env),
    sandbox: sandboxFromEnv(env),
    dependencies: dependencyConfigFrom(env),
    fleet: fleetFromEnv(env),
  };
}
