// A SHA-256 over a package's files (names, kinds and contents), recorded at
// install and checked before every start.

import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat, readdir, readlink } from "node:fs/promises";
import path from "node:path";
import { invalidPackage } from "../errors.ts";

/** Folders that are never part of a package's identity: the data folder shadows `./data`. */
const SKIPPED = new Set([".git", "node_modules", "data"]);

export interface FolderBounds {
  maxFiles: number;
  maxBytes: number;
}

export const DEFAULT_FOLDER_BOUNDS: FolderBounds = { maxFiles: 10_000, maxBytes: 50 * 1024 * 1024 };

/** Every file below `root` (relative, sorted), skipping SKIPPED folders at the top. */
async function listFiles(root: string, bounds: FolderBounds): Promise<string[]> {
  const files: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(path.join(root, relative), { withFileTypes: true });
    for (const entry of entries) {
      if (relative === "" && SKIPPED.has(entry.name)) continue;
      const child = relative === "" ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) await walk(child);
      else files.push(child);
      if (files.length > bounds.maxFiles) {
        throw invalidPackage(`package at ${root} has more than ${bounds.maxFiles} files`);
      }
    }
  };
  await walk("");
  return files.sort();
}

/** `sha256-<hex>` over the folder; links are hashed by their target, never followed. */
export async function hashFolder(root: string, bounds: FolderBounds = DEFAULT_FOLDER_BOUNDS): Promise<string> {
  const hash = createHash("sha256");
  let bytes = 0;
  for (const file of await listFiles(root, bounds)) {
    const full = path.join(root, file);
    const info = await lstat(full);
    if (info.isSymbolicLink()) {
      hash.update(`link\0${file}\0${await readlink(full)}\0`);
      continue;
    }
    if (!info.isFile()) continue;
    bytes += info.size;
    if (bytes > bounds.maxBytes) throw invalidPackage(`package at ${root} is larger than ${bounds.maxBytes} bytes`);
    hash.update(`file\0${file}\0${info.size}\0`);
    for await (const chunk of createReadStream(full)) hash.update(chunk as Buffer);
  }
  return `sha256-${hash.digest("hex")}`;
}
