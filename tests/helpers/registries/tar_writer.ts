// Writes tar archives entry by entry, as a stream, for the fake GitHub: real
// folders in GitHub's layout, and hand-made hostile entries that no real folder can hold.

import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { createGzip } from "node:zlib";
import { Header, Pax, type HeaderData } from "tar";

/** One archive entry; `path` is below the top folder unless `exact` is set. */
export interface TarEntry {
  path: string;
  type?: NonNullable<HeaderData["type"]>;
  body?: string | Buffer;
  linkpath?: string;
  /** The path is written as is (absolute paths, paths outside the top folder). */
  exact?: boolean;
}

const MTIME = new Date("2024-01-01T00:00:00Z");

function headerBlocks(data: HeaderData): Buffer[] {
  const header = new Header({ mode: data.type === "Directory" ? 0o755 : 0o644, uid: 0, gid: 0, mtime: MTIME, size: 0, ...data });
  const blocks: Buffer[] = [];
  // A path or link too long for the ustar header goes into a pax header first, as tar itself does.
  if (header.encode()) {
    blocks.push(new Pax({ mtime: MTIME, ...(data.path !== undefined && { path: data.path }), ...(data.linkpath !== undefined && { linkpath: data.linkpath }) }).encode());
  }
  blocks.push(header.block!);
  return blocks;
}

function padding(size: number): Buffer {
  return Buffer.alloc((512 - (size % 512)) % 512);
}

/** Every folder and file below `root`, sorted, as `{ relative, kind, size }`. */
export async function walk(root: string): Promise<{ relative: string; kind: "folder" | "file"; size: number }[]> {
  const out: { relative: string; kind: "folder" | "file"; size: number }[] = [];
  const visit = async (relative: string): Promise<void> => {
    const names = (await readdir(path.join(root, relative))).sort();
    for (const name of names) {
      const child = relative === "" ? name : `${relative}/${name}`;
      const info = await stat(path.join(root, child));
      if (info.isDirectory()) {
        out.push({ relative: child, kind: "folder", size: 0 });
        await visit(child);
      } else out.push({ relative: child, kind: "file", size: info.size });
    }
  };
  await visit("");
  return out;
}

async function* tarChunks(top: string, commit: string, tree: { folder: string } | { entries: TarEntry[] }): AsyncGenerator<Buffer> {
  // GitHub's archives open with a global pax header carrying the commit.
  yield new Pax({ comment: commit }, true).encode();
  yield* headerBlocks({ path: `${top}/`, type: "Directory" });
  if ("folder" in tree) {
    for (const item of await walk(tree.folder)) {
      const name = `${top}/${item.relative}`;
      if (item.kind === "folder") {
        yield* headerBlocks({ path: `${name}/`, type: "Directory" });
        continue;
      }
      yield* headerBlocks({ path: name, type: "File", size: item.size });
      for await (const chunk of createReadStream(path.join(tree.folder, item.relative))) yield chunk as Buffer;
      yield padding(item.size);
    }
  } else {
    for (const entry of tree.entries) {
      const body = entry.body === undefined ? Buffer.alloc(0) : Buffer.from(entry.body);
      const type = entry.type ?? "File";
      const name = entry.exact ? entry.path : `${top}/${entry.path}`;
      yield* headerBlocks({ path: name, type, size: type === "File" ? body.length : 0, ...(entry.linkpath !== undefined && { linkpath: entry.linkpath }) });
      if (type === "File" && body.length > 0) {
        yield body;
        yield padding(body.length);
      }
    }
  }
  yield Buffer.alloc(1024);
}

/** A gzipped tarball stream with `top/` as its top folder. */
export function tarball(top: string, commit: string, tree: { folder: string } | { entries: TarEntry[] }): Readable {
  return Readable.from(tarChunks(top, commit, tree)).pipe(createGzip());
}
