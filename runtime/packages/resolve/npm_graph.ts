// Resolves the npm packages a package imports, level by level so the result
// is deterministic: versions within ranges (reusing one already picked), bounds, native refusal.

import semver from "semver";
import type { ArchiveBounds } from "../../config.ts";
import { invalidPackage } from "../../errors.ts";
import type { PackageCache } from "../cache/package_cache.ts";
import type { DependencyBounds } from "../config.ts";
import { fetchPackument, type NpmRegistry, type Packument } from "../npm/packument.ts";
import { pickVersion, type PickedVersion } from "../npm/pick.ts";
import { fetchTarball } from "../npm/tarball_fetch.ts";
import { packageKey } from "../specifier.ts";
import type { DenoLock } from "../lock/deno_lock.ts";
import type { Deadline } from "./deadline.ts";
import { inPool } from "./pool.ts";
import { chainTo, type Resolution } from "./resolution.ts";

export interface GraphOptions {
  rootName: string;
  registry: NpmRegistry;
  cache: PackageCache;
  bounds: DependencyBounds;
  archive: ArchiveBounds;
  deadline: Deadline;
  /** The package's deno.lock: versions and integrity it pins. */
  lock?: DenoLock | undefined;
  /** A resolution to add to (the JSR graph's), and the bytes it already holds. */
  resolution?: Resolution;
  bytes?: number;
  onProgress?: ((progress: { packages: number; bytes: number }) => void) | undefined;
}

/** One wanted package: a root import (`parent` undefined) or a dependency of `parent`. */
interface Wanted {
  name: string;
  range: string;
  parent: string | undefined;
  rootKey?: string;
}

const CONCURRENCY = 8;

export class NpmGraph {
  readonly #options: GraphOptions;
  readonly #packuments = new Map<string, Promise<Packument>>();
  readonly #versions = new Map<string, string[]>();
  readonly resolution: Resolution;
  #bytes: number;

  constructor(options: GraphOptions) {
    this.#options = options;
    this.resolution = options.resolution ?? { roots: {}, packages: {} };
    this.#bytes = options.bytes ?? 0;
  }

  #via(wanted: Wanted): string {
    return wanted.parent === undefined ? `${this.#options.rootName} -> npm:${wanted.name}@${wanted.range}` : chainTo(this.resolution, this.#options.rootName, wanted.parent);
  }

  #packument(wanted: Wanted): Promise<Packument> {
    let pending = this.#packuments.get(wanted.name);
    if (!pending) {
      const { registry, bounds, deadline } = this.#options;
      pending = fetchPackument(registry, wanted.name, { deadline, maxBytes: bounds.maxMetadataBytes, via: this.#via(wanted) });
      pending.catch(() => undefined);
      this.#packuments.set(wanted.name, pending);
    }
    return pending;
  }

  /** Resolves `roots` (name, range, root key) and everything they need. */
  async resolve(roots: readonly { name: string; range: string; rootKey: string }[]): Promise<Resolution> {
    let level: Wanted[] = roots.map((root) => ({ ...root, parent: undefined }));
    while (level.length > 0) {
      this.#options.deadline.check();
      this.#checkCount(level);
      await inPool([...new Set(level.map((wanted) => wanted.name))], CONCURRENCY, (name) => this.#packument(level.find((w) => w.name === name)!));
      const fresh: PickedVersion[] = [];
      for (const wanted of level) {
        const picked = await this.#place(wanted);
        if (picked) fresh.push(picked);
      }
      this.#checkCount([]);
      await inPool(fresh, CONCURRENCY, (picked) => this.#download(picked));
      level = fresh.flatMap((picked) =>
        Object.entries(picked.dependencies).map(([name, range]) => ({ name, range, parent: packageKey(picked.name, picked.version) })),
      );
    }
    return this.resolution;
  }

  /** Links `wanted` to a version already in the graph, or picks one; a newly picked one is returned. */
  async #place(wanted: Wanted): Promise<PickedVersion | undefined> {
    if (semver.validRange(wanted.range) === null && !/^[a-z][\w.-]*$/i.test(wanted.range)) {
      throw invalidPackage(`${this.#via(wanted)}: dependency "${wanted.name}" asks for "${wanted.range}", which is not a version range isopod resolves`);
    }
    const pinned = this.#options.lock?.version("npm", wanted.name, wanted.range);
    const known = this.#versions.get(wanted.name) ?? [];
    const reuse = pinned ?? known.filter((version) => semver.satisfies(version, wanted.range, { includePrerelease: true })).sort(semver.rcompare)[0];
    let key = reuse === undefined ? undefined : packageKey(wanted.name, reuse);
    let picked: PickedVersion | undefined;
    if (key === undefined || !this.resolution.packages[key]) {
      picked = pickVersion(await this.#packument(wanted), pinned ?? wanted.range, { registry: this.#options.registry.label, via: this.#via(wanted) });
      key = packageKey(picked.name, picked.version);
      if (this.resolution.packages[key]) picked = undefined;
    }
    if (picked) {
      const locked = this.#options.lock?.integrity("npm", picked.name, picked.version);
      if (locked !== undefined && locked !== picked.integrity) {
        throw invalidPackage(`${this.#via(wanted)}: deno.lock records integrity ${locked} for npm:${key}, but the ${this.#options.registry.label} serves ${picked.integrity}`, { package: key });
      }
      if (picked.native) throw invalidPackage(`${this.#via(wanted)} -> npm:${key}: a native addon (it declares a native build); isolates cannot load native code`, { package: key });
      this.#versions.set(picked.name, [...known, picked.version]);
      this.resolution.packages[key] = { name: picked.name, version: picked.version, integrity: picked.integrity, registry: this.#options.registry.url, entry: "", dependencies: {} };
    }
    if (wanted.parent === undefined) this.resolution.roots[wanted.rootKey!] = key;
    else this.resolution.packages[wanted.parent]!.dependencies[wanted.name] = key;
    return picked;
  }

  async #download(picked: PickedVersion): Promise<void> {
    const { bounds, cache, archive, deadline, registry } = this.#options;
    const key = packageKey(picked.name, picked.version);
    const budget = bounds.maxBytes - this.#bytes;
    const { entry, bytes } = await fetchTarball(registry, picked, { cache, deadline, archive, maxFileBytes: bounds.maxFileBytes, budget: Math.max(budget, 0) });
    this.#bytes += bytes;
    if (this.#bytes > bounds.maxBytes) {
      throw invalidPackage(`the dependencies of ${this.#options.rootName} unpack to more than ${bounds.maxBytes} bytes (ISOPOD_DEPS_MAX_BYTES), at ${chainTo(this.resolution, this.#options.rootName, key)}`, { bound: "maxBytes" });
    }
    this.resolution.packages[key]!.entry = entry;
    this.#options.onProgress?.({ packages: Object.keys(this.resolution.packages).length, bytes: this.#bytes });
  }

  /** Refuses a graph that has, or is sure to have, more packages than the bound. */
  #checkCount(level: readonly Wanted[]): void {
    const { maxPackages } = this.#options.bounds;
    const unseen = new Set(level.filter((wanted) => !this.#versions.has(wanted.name)).map((wanted) => wanted.name)).size;
    const count = Object.keys(this.resolution.packages).length + unseen;
    if (count > maxPackages) {
      throw invalidPackage(`the dependencies of ${this.#options.rootName} are more than ${maxPackages} packages (ISOPOD_DEPS_MAX_PACKAGES)`, { bound: "maxPackages", packages: count });
    }
  }
}
