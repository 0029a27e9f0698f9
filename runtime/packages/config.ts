// Where npm and JSR dependencies come from and the bounds on resolving them,
// read from the environment (docs/npm_and_jsr.md lists every variable).

import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export interface DependencyBounds {
  /** Packages in one graph. `ISOPOD_DEPS_MAX_PACKAGES`, default 1000. */
  maxPackages: number;
  /** Unpacked bytes of the whole graph. `ISOPOD_DEPS_MAX_BYTES`, default 200 MiB. */
  maxBytes: number;
  /** Bytes of one file in a dependency. `ISOPOD_DEPS_MAX_FILE_BYTES`, default 10 MiB. */
  maxFileBytes: number;
  /** The whole resolution, downloads included. `ISOPOD_DEPS_TIMEOUT_MS`, default 120000. */
  timeoutMs: number;
  /** One registry answer (headers, or the gap between two chunks). `ISOPOD_DEPS_REQUEST_TIMEOUT_MS`, default 30000. */
  requestTimeoutMs: number;
  /** Bytes of one registry metadata document. `ISOPOD_DEPS_MAX_METADATA_BYTES`, default 32 MiB. */
  maxMetadataBytes: number;
}

export interface DependencyConfig {
  /** `ISOPOD_NPM_REGISTRY`, else `NPM_CONFIG_REGISTRY`, else `registry=` in ~/.npmrc, else https://registry.npmjs.org/. */
  npmRegistry: string;
  /** The token sent to the npm registry: `//host/path/:_authToken=` in ~/.npmrc, or `ISOPOD_NPM_TOKEN`. */
  npmToken: string | undefined;
  /** `ISOPOD_JSR_URL`, else `JSR_URL`, else https://jsr.io/. */
  jsrUrl: string;
  /** Resolved packages kept in the cache, in bytes, beyond those in use. `ISOPOD_DEPS_CACHE_BYTES`, default 1 GiB. */
  cacheBytes: number;
  bounds: DependencyBounds;
}

type Env = Record<string, string | undefined>;
const MIB = 1024 * 1024;

function whole(env: Env, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`invalid configuration: ${key}=${JSON.stringify(raw)} is not a whole number above 0`);
  return value;
}

const withSlash = (url: string) => (url.endsWith("/") ? url : `${url}/`);

/** `key=value` lines of an .npmrc, comments dropped, `${VAR}` expanded as npm does. */
export function parseNpmrc(text: string, env: Env): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#") || trimmed.startsWith(";")) continue;
    const at = trimmed.indexOf("=");
    if (at < 1) continue;
    const value = trimmed.slice(at + 1).trim().replace(/\$\{([^}]+)\}/g, (_, name: string) => env[name] ?? "");
    entries.set(trimmed.slice(0, at).trim(), value.replace(/^"(.*)"$/, "$1"));
  }
  return entries;
}

function npmrcOf(env: Env): Map<string, string> {
  const file = env.NPM_CONFIG_USERCONFIG || path.join(env.HOME || os.homedir(), ".npmrc");
  try {
    return parseNpmrc(readFileSync(file, "utf8"), env);
  } catch {
    return new Map();
  }
}

/** The token npm would send to `registry`: the longest `//host/path/:_authToken` prefix of it. */
export function tokenFor(registry: string, npmrc: Map<string, string>): string | undefined {
  const bare = registry.replace(/^https?:/, "");
  let best: { length: number; token: string } | undefined;
  for (const [key, value] of npmrc) {
    if (!key.endsWith(":_authToken")) continue;
    const prefix = withSlash(key.slice(0, -":_authToken".length));
    if (bare.startsWith(prefix) && (best === undefined || prefix.length > best.length)) best = { length: prefix.length, token: value };
  }
  return best?.token;
}

export function dependencyConfigFrom(env: Env = process.env): DependencyConfig {
  const npmrc = npmrcOf(env);
  const npmRegistry = withSlash(env.ISOPOD_NPM_REGISTRY || env.NPM_CONFIG_REGISTRY || env.npm_config_registry || npmrc.get("registry") || "https://registry.npmjs.org/");
  return {
    npmRegistry,
    npmToken: env.ISOPOD_NPM_TOKEN || tokenFor(npmRegistry, npmrc),
    jsrUrl: withSlash(env.ISOPOD_JSR_URL || env.JSR_URL || "https://jsr.io/"),
    cacheBytes: whole(env, "ISOPOD_DEPS_CACHE_BYTES", 1024 * MIB),
    bounds: {
      maxPackages: whole(env, "ISOPOD_DEPS_MAX_PACKAGES", 1000),
      maxBytes: whole(env, "ISOPOD_DEPS_MAX_BYTES", 200 * MIB),
      maxFileBytes: whole(env, "ISOPOD_DEPS_MAX_FILE_BYTES", 10 * MIB),
      timeoutMs: whole(env, "ISOPOD_DEPS_TIMEOUT_MS", 120_000),
      requestTimeoutMs: whole(env, "ISOPOD_DEPS_REQUEST_TIMEOUT_MS", 30_000),
      maxMetadataBytes: whole(env, "ISOPOD_DEPS_MAX_METADATA_BYTES", 32 * MIB),
    },
  };
}
