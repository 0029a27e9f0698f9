// Finds the file a subpath of an npm package names: its `exports` under the
// conditions an isolate can run (worker/browser builds first), else browser/module/main and file probing.

import { readFileSync, statSync } from "node:fs";
import path from "node:path";

/**
 * The conditions, in the order a package's `exports` are matched against them. Isolates have web APIs
 * but no Node built-ins, so builds for workers and browsers come before Node's (`node` is never chosen).
 */
export const IMPORT_CONDITIONS = ["worker", "browser", "import", "module", "default"] as const;
export const REQUIRE_CONDITIONS = ["worker", "browser", "require", "default"] as const;

const PROBES = ["", ".js", ".mjs", ".cjs", ".json", "/index.js", "/index.mjs", "/index.cjs", "/index.json"];

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The file `target` names, probing extensions and index files as Node's CommonJS resolution does. */
export function probeFile(target: string): string | undefined {
  for (const suffix of PROBES) if (isFile(target + suffix)) return target + suffix;
  return undefined;
}

function matchTarget(target: unknown, conditions: readonly string[], star: string | undefined): string | undefined | null {
  if (target === null) return null;
  if (typeof target === "string") return star === undefined ? target : target.replaceAll("*", star);
  if (Array.isArray(target)) {
    for (const item of target) {
      const found = matchTarget(item, conditions, star);
      if (typeof found === "string") return found;
    }
    return undefined;
  }
  if (typeof target === "object") {
    for (const [condition, value] of Object.entries(target)) {
      if (!conditions.includes(condition)) continue;
      const found = matchTarget(value, conditions, star);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** The `exports` target of `subpath` (`.` or `./x`): a path, null when excluded, undefined when not exported. */
export function exportsTarget(exports: unknown, subpath: string, conditions: readonly string[]): string | null | undefined {
  const isSubpathMap = typeof exports === "object" && exports !== null && !Array.isArray(exports) && Object.keys(exports).some((key) => key.startsWith("."));
  const map = (isSubpathMap ? exports : { ".": exports }) as Record<string, unknown>;
  if (Object.hasOwn(map, subpath)) return matchTarget(map[subpath], conditions, undefined);
  let best: [string, string] | undefined;
  for (const key of Object.keys(map)) {
    const star = key.indexOf("*");
    if (star < 0) continue;
    const [prefix, suffix] = [key.slice(0, star), key.slice(star + 1)];
    if (subpath.startsWith(prefix) && subpath.endsWith(suffix) && subpath.length >= key.length - 1 && (best === undefined || prefix.length > best[0].length)) {
      best = [key, subpath.slice(prefix.length, subpath.length - suffix.length)];
    }
  }
  return best && matchTarget(map[best[0]], conditions, best[1]);
}

export interface PackageJson {
  exports?: unknown;
  main?: unknown;
  module?: unknown;
  browser?: unknown;
}

export function readPackageJson(dir: string): PackageJson {
  try {
    return JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as PackageJson;
  } catch {
    return {};
  }
}

/** The file for `subpath` of the package in `dir`, relative to it; undefined when there is none. */
export function packageFile(dir: string, subpath: string, conditions: readonly string[]): { file?: string; problem?: string } {
  const json = readPackageJson(dir);
  if (json.exports !== undefined) {
    const target = exportsTarget(json.exports, subpath, conditions);
    if (typeof target !== "string") return { problem: `"${subpath}" is not exported for ${conditions.join("/")}` };
    if (!target.startsWith("./")) return { problem: `its exports map "${subpath}" to "${target}", not a path inside the package` };
    const file = path.resolve(dir, target);
    return isFile(file) ? { file } : { problem: `its exports map "${subpath}" to "${target}", which does not exist` };
  }
  if (subpath !== ".") {
    const file = probeFile(path.resolve(dir, subpath));
    return file ? { file } : { problem: `it has no file "${subpath}"` };
  }
  const entry = [json.browser, json.module, json.main].find((value): value is string => typeof value === "string") ?? "index.js";
  const file = probeFile(path.resolve(dir, entry)) ?? probeFile(path.resolve(dir, "index"));
  return file ? { file } : { problem: `its entry "${entry}" does not exist` };
}
