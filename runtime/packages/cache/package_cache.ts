// The content-addressed store of resolved packages in the data folder
// (`cache/npm|jsr/<sha256 of the integrity>/package`), shared between installed packages.

import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";

export interface CacheEntryMeta {
  name: string;
  version: string;
  integrity: string;
  bytes: number;
  /** A JSR package's exports from its `_meta.json`: subpath to `./file`. */
  exports?: Record<string, string>;
}

export class PackageCache {
  readonly root: string;

  /** `root` is the data folder's `cache/` folder. */
  constructor(root: string) {
    this.root = root;
  }

  /** The entry's folder, relative to `root`: what resolutions record. */
  entryOf(registry: "npm" | "jsr", integrity: string): string {
    return path.join(registry, createHash("sha256").update(integrity).digest("hex"));
  }

  /** The folder holding the package's files. */
  filesOf(entry: string): string {
    return path.join(this.root, entry, "package");
  }

  async meta(entry: string): Promise<CacheEntryMeta | undefined> {
    try {
      return JSON.parse(await readFile(path.join(this.root, entry, "meta.json"), "utf8")) as CacheEntryMeta;
    } catch {
      return undefined;
    }
  }

  /** A fresh, empty staging folder on the cache's file system; removed by the caller on failure. */
  async staging(): Promise<string> {
    const dir = path.join(this.root, ".staging", randomBytes(8).toString("hex"));
    await mkdir(path.join(dir, "package"), { recursive: true });
    return dir;
  }

  /** Moves a verified staging folder into place; an entry already there wins (same content). */
  async commit(staging: string, entry: string, meta: CacheEntryMeta): Promise<void> {
    await writeFile(path.join(staging, "meta.json"), JSON.stringify(meta));
    const target = path.join(this.root, entry);
    await mkdir(path.dirname(target), { recursive: true });
    try {
      await rename(staging, target);
    } catch (error) {
      const exists = await stat(target).then(() => true, () => false);
      await rm(staging, { recursive: true, force: true });
      if (!exists) throw error;
    }
  }
}
