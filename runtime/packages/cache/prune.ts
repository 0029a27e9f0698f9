// Keeps the dependency cache bounded: entries no installed package uses go,
// oldest first, once they hold more than the bound; young entries stay (an add may be about to use them).

import { readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { PackageCache } from "./package_cache.ts";

export interface PruneOptions {
  /** Cache entries (`npm/<hash>`) some installed package uses: never removed. */
  inUse: ReadonlySet<string>;
  /** Bytes the unused entries may hold. */
  maxUnusedBytes: number;
  /** Entries younger than this are kept whatever their use. Default 10 minutes. */
  minAgeMs?: number;
}

/** Removes unused entries past the bound; returns how many went. */
export async function pruneCache(cache: PackageCache, options: PruneOptions): Promise<number> {
  const now = Date.now();
  const unused: { entry: string; bytes: number; at: number }[] = [];
  for (const registry of ["npm", "jsr"] as const) {
    const names = await readdir(path.join(cache.root, registry)).catch(() => [] as string[]);
    for (const name of names) {
      const entry = path.join(registry, name);
      if (options.inUse.has(entry)) continue;
      const meta = await cache.meta(entry);
      const at = (await stat(path.join(cache.root, entry)).catch(() => undefined))?.mtimeMs ?? 0;
      unused.push({ entry, bytes: meta?.bytes ?? 0, at });
    }
  }
  unused.sort((a, b) => a.at - b.at);
  let total = unused.reduce((sum, item) => sum + item.bytes, 0);
  let removed = 0;
  for (const item of unused) {
    if (total <= options.maxUnusedBytes) break;
    if (now - item.at < (options.minAgeMs ?? 600_000)) continue;
    await rm(path.join(cache.root, item.entry), { recursive: true, force: true });
    total -= item.bytes;
    removed++;
  }
  return removed;
}
