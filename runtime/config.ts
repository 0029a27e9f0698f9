// The host's configuration, read from the environment once at start-up.
// Every field documents its default; docs/configuration.md lists them for operators.

import path from "node:path";

export interface HostConfig {
  /** Interface to listen on. `ISOPOD_HOST`, default `127.0.0.1`. */
  host: string;
  /** Port to listen on; 0 picks a free one. `ISOPOD_PORT`, default `8787`. */
  port: number;
  /** Data folder: SQLite, package files, tokens. `ISOPOD_DATA`, default `./.isopod`. */
  dataDir: string;
  /** An admin token accepted beside the stored ones. `ISOPOD_ADMIN_TOKEN`, unset by default. */
  adminToken: string | undefined;
  /** GitHub API base URL. `ISOPOD_GITHUB_API`, default `https://api.github.com`. */
  githubApi: string;
  /** Token for private repositories. `GITHUB_TOKEN`, unset by default. */
  githubToken: string | undefined;
  /** Upper bounds the host puts on what a package may request. */
  caps: LimitCaps;
  /** How long an operation waits for another one on the same package. `ISOPOD_LOCK_WAIT_MS`, default 10000. */
  lockWaitMs: number;
  /** Captured log lines kept per package. `ISOPOD_LOG_LINES`, default 1000. */
  logLinesPerPackage: number;
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
}

type Env = Record<string, string | undefined>;

function intFrom(env: Env, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`invalid configuration: ${key}=${JSON.stringify(raw)} is not a whole number`);
  }
  return value;
}

export function configFromEnv(env: Env = process.env, cwd = process.cwd()): HostConfig {
  return {
    host: env.ISOPOD_HOST || "127.0.0.1",
    port: intFrom(env, "ISOPOD_PORT", 8787),
    dataDir: path.resolve(cwd, env.ISOPOD_DATA || ".isopod"),
    adminToken: env.ISOPOD_ADMIN_TOKEN || undefined,
    githubApi: env.ISOPOD_GITHUB_API || "https://api.github.com",
    githubToken: env.GITHUB_TOKEN || undefined,
    caps: {
      maxMemoryMb: intFrom(env, "ISOPOD_MAX_MEMORY_MB", 512),
      maxTimeoutMs: intFrom(env, "ISOPOD_MAX_TIMEOUT_MS", 60_000),
      defaultMemoryMb: intFrom(env, "ISOPOD_DEFAULT_MEMORY_MB", 64),
      defaultTimeoutMs: intFrom(env, "ISOPOD_DEFAULT_TIMEOUT_MS", 5_000),
    },
    lockWaitMs: intFrom(env, "ISOPOD_LOCK_WAIT_MS", 10_000),
    logLinesPerPackage: intFrom(env, "ISOPOD_LOG_LINES", 1_000),
  };
}
