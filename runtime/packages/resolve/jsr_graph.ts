// Resolves the JSR packages a package imports, level by level (deterministic):
// versions in range (reusing one already picked), files verified into the cache, their own imports followed.

import semver from "semver";
import type { ArchiveBounds } from "../../config.ts";
import { invalidPackage } from "../../errors.ts";
import type { PackageCache } from "../cache/package_cache.ts";
import type { DependencyBounds } from "../config.ts";
import { jsrImports } from "../jsr/jsr_imports.ts";
import { checkJsrName, fetchJsrVersionMeta, fetchJsrVersions, pickJsrVersion, type JsrRegistry } from "../jsr/jsr_meta.ts";
import { fetchJsrFiles } from "../jsr/jsr_fetch.ts";
import type { DenoLock } from "../lock/deno_lock.ts";
import { parseSpecifier, rootKey, type PackageSpecifier } from "../specifier.ts";
import type { Deadline } from "./deadline.ts";
import { inPool } from "./pool.ts";
import { chainTo, type Resolution } from "./resolution.ts";

export interface JsrGraphOptions {
  rootName: string;
  registry: JsrRegistry;
  cache: PackageCache;
  bounds: DependencyBounds;
  archive: ArchiveBounds;
  deadline: Deadline;
  /** Shared with the npm graph: JSR packages are keyed `jsr:@scope/name@version`. */
  resolution: Resolution;
  lock?: DenoLock | undefined;
  onProgress?: ((progress: { packages: number; bytes: number }) => void) | undefined;
}

/** An `npm:` import of a JSR package, resolved by the npm graph afterwards. */
export interface NpmImport {
  spec: PackageSpecifier;
  /** The JSR package's key. */
  parent: string;
}

interface Wanted {
  spec: PackageSpecifier;
  parent: string | undefined;
}

const CONCURRENCY = 8;
export const jsrKey = (name: string, version: string) => `jsr:${name}@${version}`;

export class JsrGraph {
  readonly #options: JsrGraphOptions;
  readonly #versions = new Map<string, Promise<{ live: string[]; yanked: string[] }>>();
  readonly npmImports: NpmImport[] = [];
  bytes = 0;

  constructor(options: JsrGraphOptions) {
    this.#options = options;
  }

  #via(wanted: Wanted): string {
    const { rootName, resolution } = this.#options;
    return wanted.parent === undefined ? `${rootName} -> ${rootKey(wanted.spec)}` : `${chainTo(resolution, rootName, wanted.parent)} -> ${rootKey(wanted.spec)}`;
  }

  #versionsOf(wanted: Wanted): Promise<{ live: string[]; yanked: string[] }> {
    let pending = this.#versions.get(wanted.spec.name);
    if (!pending) {
      checkJsrName(wanted.spec.name, this.#via(wanted));
      const { registry, deadline, bounds } = this.#options;
      pending = fetchJsrVersions(registry, wanted.spec.name, { deadline, maxBytes: bounds.maxMetadataBytes, via: this.#via(wanted) });
      pending.catch(() => undefined);
      this.#versions.set(wanted.spec.name, pending);
    }
    return pending;
  }

  /** Resolves the package's own `jsr:` imports and everything they import. */
  async resolve(roots: readonly PackageSpecifier[]): Promise<void> {
    const { resolution, deadline } = this.#options;
    let level: Wanted[] = roots.map((spec) => ({ spec, parent: undefined }));
    while (level.length > 0) {
      deadline.check();
      await inPool(level, CONCURRENCY, (wanted) => this.#versionsOf(wanted));
      const fresh: { key: string; wanted: Wanted }[] = [];
      for (const wanted of level) {
        const key = await this.#place(wanted);
        if (!resolution.packages[key]) {
          resolution.packages[key] = { name: wanted.spec.name, version: key.slice(key.lastIndexOf("@") + 1), integrity: "", registry: this.#options.registry.url, entry: "", dependencies: {} };
          fresh.push({ key, wanted });
        }
        if (wanted.parent === undefined) resolution.roots[rootKey(wanted.spec)] = key;
        else resolution.packages[wanted.parent]!.dependencies[rootKey(wanted.spec)] = key;
      }
      this.#checkCount();
      const next = await inPool(fresh, CONCURRENCY, ({ key, wanted }) => this.#download(key, wanted));
      level = next.flat();
    }
  }

  /** The key of the version `wanted` resolves to: one already in the graph, a locked one, or the highest in range. */
  async #place(wanted: Wanted): Promise<string> {
    const { name, range } = wanted.spec;
    const { resolution, lock, registry } = this.#options;
    const pinned = lock?.version("jsr", name, range);
    if (pinned === undefined) {
      const known = Object.values(resolution.packages).filter((p) => p.name === name && p.registry === registry.url).map((p) => p.version);
      const reuse = semver.maxSatisfying(known, range);
      if (reuse !== null) return jsrKey(name, reuse);
    }
    const version = pickJsrVersion(await this.#versionsOf(wanted), name, range, { registry: registry.label, via: this.#via(wanted), pinned });
    return jsrKey(name, version);
  }

  /** Fetches, verifies and caches one version; returns what its modules import from JSR. */
  async #download(key: string, wanted: Wanted): Promise<Wanted[]> {
    const { registry, deadline, bounds, archive, cache, lock, resolution } = this.#options;
    const resolved = resolution.packages[key]!;
    const meta = await fetchJsrVersionMeta(registry, resolved.name, resolved.version, { deadline, maxBytes: bounds.maxMetadataBytes, maxFiles: archive.maxFiles, maxPathBytes: archive.maxPathBytes });
    const locked = lock?.integrity("jsr", resolved.name, resolved.version);
    if (locked !== undefined && `sha256-${locked}` !== meta.integrity) {
      throw invalidPackage(`${this.#via(wanted)}: deno.lock records integrity ${locked} for ${key}, but the ${registry.label} serves ${meta.integrity.slice(7)}`, { package: key });
    }
    const { entry, bytes } = await fetchJsrFiles(registry, resolved.name, resolved.version, meta, { cache, deadline, maxFileBytes: bounds.maxFileBytes, budget: bounds.maxBytes - this.bytes, maxBytes: bounds.maxBytes });
    this.bytes += bytes;
    if (this.bytes > bounds.maxBytes) throw invalidPackage(`the dependencies of ${this.#options.rootName} take more than ${bounds.maxBytes} bytes (ISOPOD_DEPS_MAX_BYTES), at ${key}`, { bound: "maxBytes" });
    Object.assign(resolved, { integrity: meta.integrity, entry });
    this.#options.onProgress?.({ packages: Object.keys(resolution.packages).length, bytes: this.bytes });
    const next: Wanted[] = [];
    for (const specifier of await jsrImports(cache.filesOf(entry), meta.exports, key)) {
      const spec = parseSpecifier(specifier)!;
      if (spec.registry === "npm") this.npmImports.push({ spec, parent: key });
      else next.push({ spec, parent: key });
    }
    return next;
  }

  #checkCount(): void {
    const { maxPackages } = this.#options.bounds;
    const count = Object.keys(this.#options.resolution.packages).length;
    if (count > maxPackages) {
      throw invalidPackage(`the dependencies of ${this.#options.rootName} are more than ${maxPackages} packages (ISOPOD_DEPS_MAX_PACKAGES)`, { bound: "maxPackages", packages: count });
    }
  }
}
