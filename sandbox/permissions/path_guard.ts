// File access for a package: maps its paths (`./data` is its data folder) to
// host paths, resolves links, and checks the result against its grant. Only
// the package root and the data folder are ever reachable; writes only the latter.

import { realpath } from "node:fs/promises";
import path from "node:path";
import { notCapable } from "../host/host_error.ts";
import type { PermissionRule } from "./permissions.ts";

export type FileAccess = "read" | "write";
export type PermissionState = "granted" | "denied" | "prompt";

export function isWithin(base: string, target: string): boolean {
  const relative = path.relative(base, target);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

/** The real path of `target`, resolving links in every existing part; parts that do not exist yet are kept. */
async function resolveReal(target: string): Promise<string> {
  const missing: string[] = [];
  let current = target;
  for (let depth = 0; depth < 4096; depth++) {
    try {
      return path.join(await realpath(current), ...missing.reverse());
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ENOENT" && code !== "ENOTDIR") throw error;
      const parent = path.dirname(current);
      if (parent === current) break;
      missing.push(path.basename(current));
      current = parent;
    }
  }
  return target;
}

export class PathGuard {
  readonly #root: string;
  readonly #dataDir: string;
  readonly #rules: Record<FileAccess, PermissionRule>;
  #real: Promise<{ root: string; data: string }> | undefined;

  constructor(root: string, dataDir: string, rules: Record<FileAccess, PermissionRule>) {
    this.#root = path.resolve(root);
    this.#dataDir = path.resolve(dataDir);
    this.#rules = rules;
  }

  #realBases(): Promise<{ root: string; data: string }> {
    this.#real ??= Promise.all([resolveReal(this.#root), resolveReal(this.#dataDir)]).then(([root, data]) => ({ root, data }));
    return this.#real;
  }

  /** Where a package path lies on the host before links are resolved: `./data/...` is the data folder. */
  hostPath(packagePath: string): string {
    const resolved = path.resolve(this.#root, packagePath);
    const data = path.join(this.#root, "data");
    if (isWithin(data, resolved)) return path.join(this.#dataDir, path.relative(data, resolved));
    return resolved;
  }

  async #realOf(packagePath: string): Promise<string> {
    return resolveReal(this.hostPath(packagePath));
  }

  async #listed(entries: string[], real: string): Promise<boolean> {
    for (const entry of entries) {
      if (isWithin(await this.#realOf(entry), real)) return true;
    }
    return false;
  }

  /** Whether `real` is reachable for `access` at all, whatever the grant. */
  async #contained(access: FileAccess, real: string): Promise<boolean> {
    const bases = await this.#realBases();
    if (access === "write") return isWithin(bases.data, real);
    return isWithin(bases.root, real) || isWithin(bases.data, real);
  }

  /**
   * The permission state for a path (or for the whole permission when
   * `packagePath` is undefined), as Deno answers before any prompt: `partial`
   * when something below a granted path is denied.
   */
  async state(access: FileAccess, packagePath: string | undefined): Promise<{ state: PermissionState; partial: boolean }> {
    const rule = this.#rules[access];
    if (packagePath === undefined) return { state: rule.allow === true && rule.deny.length === 0 ? "granted" : "prompt", partial: false };
    const real = await this.#realOf(packagePath);
    if (await this.#listed(rule.deny, real)) return { state: "denied", partial: false };
    if (!(await this.#contained(access, real))) return { state: "prompt", partial: false };
    if (rule.allow !== true && !(await this.#listed(rule.allow, real))) return { state: "prompt", partial: false };
    let partial = false;
    for (const entry of rule.deny) if (isWithin(real, await this.#realOf(entry))) partial = true;
    return { state: "granted", partial };
  }

  /** The real host path to open for `packagePath`, or NotCapable in Deno's words. */
  async check(access: FileAccess, packagePath: string): Promise<string> {
    if ((await this.state(access, packagePath)).state !== "granted") throw notCapable(access, packagePath);
    return this.#realOf(packagePath);
  }
}
