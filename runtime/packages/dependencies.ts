// The host's npm and JSR dependencies: resolves a package's imports at add,
// reload and upgrade (the only time the network is used) and gives the bundle step its resolver plugin.

import { mkdir } from "node:fs/promises";
import type { Plugin } from "esbuild";
import type { ArchiveBounds } from "../config.ts";
import { PackageCache } from "./cache/package_cache.ts";
import { pruneCache } from "./cache/prune.ts";
import { dependencyPlugin } from "./bundle/dependency_plugin.ts";
import type { DependencyConfig } from "./config.ts";
import { readImportMap } from "./import_map/import_map.ts";
import { Deadline } from "./resolve/deadline.ts";
import { readDenoLock } from "./lock/deno_lock.ts";
import { JsrGraph, type NpmImport } from "./resolve/jsr_graph.ts";
import { NpmGraph } from "./resolve/npm_graph.ts";
import { EMPTY_RESOLUTION, type Resolution } from "./resolve/resolution.ts";
import { parseSpecifier, rootKey } from "./specifier.ts";

/** What the dependencies need to know of a package. */
export interface PackageFacts {
  root: string;
  name: string;
  /** The manifest's file name: `deno.json` or `deno.jsonc`. */
  file: string;
}

/** Runs the bundle step with extra esbuild plugins; the code is thrown away when collecting. */
export type BundleStep = (plugins: Plugin[]) => Promise<string>;

export type Progress = (progress: { packages: number; bytes: number }) => void;

/** Links the `npm:` imports of JSR packages (resolved as roots) to the JSR packages that made them. */
function adoptNpmImports(resolution: Resolution, imports: readonly NpmImport[], own: ReadonlySet<string>): Resolution {
  for (const { spec, parent } of imports) resolution.packages[parent]!.dependencies[rootKey(spec)] = resolution.roots[rootKey(spec)]!;
  for (const key of Object.keys(resolution.roots)) if (!own.has(key) && !key.startsWith("jsr:")) delete resolution.roots[key];
  return resolution;
}

export class Dependencies {
  readonly cache: PackageCache;
  readonly #config: DependencyConfig;
  readonly #archive: ArchiveBounds;
  readonly #inUse: () => ReadonlySet<string>;

  /** `cacheRoot` is the data folder's `cache/`; `inUse` names the cache entries installed packages use. */
  constructor(cacheRoot: string, config: DependencyConfig, options: { archive: ArchiveBounds; inUse: () => ReadonlySet<string> }) {
    this.cache = new PackageCache(cacheRoot);
    this.#config = config;
    this.#archive = options.archive;
    this.#inUse = options.inUse;
  }

  /** Removes cache entries no installed package uses, past the cache's bound (ISOPOD_DEPS_CACHE_BYTES). */
  prune(minAgeMs?: number): Promise<number> {
    return pruneCache(this.cache, { inUse: this.#inUse(), maxUnusedBytes: this.#config.cacheBytes, ...(minAgeMs !== undefined && { minAgeMs }) });
  }

  async #plugin(facts: PackageFacts, resolution: Resolution | undefined, collected?: Set<string>): Promise<Plugin> {
    await mkdir(this.cache.root, { recursive: true });
    const importMap = await readImportMap(facts.root, facts.file);
    return dependencyPlugin({ root: facts.root, rootName: facts.name, importMap, cacheRoot: this.cache.root, resolution, ...(collected && { collected }) });
  }

  /** Finds the package's `npm:` and `jsr:` imports (one bundle pass) and resolves them into the cache. */
  async resolve(facts: PackageFacts, bundle: BundleStep, onProgress?: Progress): Promise<Resolution> {
    const collected = new Set<string>();
    await bundle([await this.#plugin(facts, undefined, collected)]);
    if (collected.size === 0) return EMPTY_RESOLUTION;
    await this.prune();
    const specs = [...collected].sort().map((specifier) => parseSpecifier(specifier)!);
    const { bounds, npmRegistry, npmToken, jsrUrl } = this.#config;
    const deadline = new Deadline(`resolving the dependencies of "${facts.name}"`, bounds.timeoutMs, bounds.requestTimeoutMs);
    try {
      const lock = await readDenoLock(facts.root);
      const resolution: Resolution = { roots: {}, packages: {} };
      const common = { rootName: facts.name, cache: this.cache, bounds, archive: this.#archive, deadline, resolution, lock, onProgress };
      const jsr = new JsrGraph({ ...common, registry: { url: jsrUrl, label: `JSR registry ${jsrUrl}` } });
      await jsr.resolve(specs.filter((spec) => spec.registry === "jsr"));
      const own = specs.filter((spec) => spec.registry === "npm");
      const wanted = [...own, ...jsr.npmImports.map((item) => item.spec)];
      const roots = [...new Map(wanted.map((spec) => [rootKey(spec), { name: spec.name, range: spec.range, rootKey: rootKey(spec) }])).values()];
      const npm = new NpmGraph({ ...common, bytes: jsr.bytes, registry: { url: npmRegistry, token: npmToken, label: `npm registry ${npmRegistry}` } });
      await npm.resolve(roots);
      return adoptNpmImports(resolution, jsr.npmImports, new Set(own.map(rootKey)));
    } finally {
      deadline.dispose();
    }
  }

  /** The plugins that bundle the package against a frozen resolution, offline. */
  async plugins(facts: PackageFacts, resolution: Resolution): Promise<Plugin[]> {
    return [await this.#plugin(facts, resolution)];
  }
}
