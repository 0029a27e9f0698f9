// The host's only user of `tar`: extracts one folder of a gzipped tarball as
// it downloads, with every entry checked first, in bounded memory (backpressure reaches the socket).

import { mkdir, open } from "node:fs/promises";
import path from "node:path";
import { Transform, Writable, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { Parser, type ReadEntry } from "tar";
import type { ArchiveBounds } from "../config.ts";
import type { IsopodError} from "../errors.ts";
import { messageOf } from "../errors.ts";
import { checkShape, invalidArchive, placeEntry, writableType } from "./archive_entry.ts";

export interface ExtractOptions {
  /** The folder below the archive's top folder to write out; "" for all of it. */
  folder: string;
  /** An existing, empty folder that receives it. */
  dest: string;
  bounds: ArchiveBounds;
  /** The size the server announced, refused before anything is read when it is over the bound. */
  length?: number | undefined;
  /** Told the bytes read so far after each chunk of the download. */
  onDownloaded?: (bytes: number) => void;
}

export interface Extracted {
  /** Whether the archive had `folder` at all. */
  found: boolean;
  files: number;
  bytes: number;
}

/** File writes in flight before the download waits for them: keeps open files and buffers bounded. */
const MAX_PENDING_WRITES = 32;
const GZIP_MAGIC = [0x1f, 0x8b];

/** Counts bytes going through (told to `onCount`); past `max` it fails with `tooMany(count)`. */
function counter(max: number, tooMany: (count: number) => IsopodError, onFirst?: (chunk: Buffer) => void, onCount?: (count: number) => void): Transform {
  let count = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (count === 0) onFirst?.(chunk);
      count += chunk.length;
      if (count <= max) onCount?.(count);
      callback(count > max ? tooMany(count) : null, chunk);
    },
  });
}

function fsProblem(error: unknown, relative: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EEXIST" || code === "ENOTDIR" || code === "EISDIR") {
    return invalidArchive(`archive entry "${relative}" appears twice, or as both a file and a folder`, { entry: relative });
  }
  return error;
}

class Extraction {
  readonly #options: ExtractOptions;
  readonly #pending = new Set<Promise<void>>();
  readonly #parser: Parser;
  readonly #done: Promise<void>;
  readonly sink: Writable;
  #top: string | undefined;
  #failure: unknown;
  result: Extracted = { found: false, files: 0, bytes: 0 };

  constructor(options: ExtractOptions) {
    this.#options = options;
    // strict: a damaged header or a truncated archive is an error, not a warning.
    this.#parser = new Parser({ strict: true, zstd: false, brotli: false });
    this.#parser.on("entry", (entry: ReadEntry) => this.#onEntry(entry));
    this.#parser.on("ignoredEntry", (entry: ReadEntry) => this.#onIgnored(entry));
    this.#done = new Promise<void>((resolve, reject) => {
      this.#parser.on("end", resolve);
      this.#parser.on("error", (error: Error) => reject(invalidArchive(`archive is damaged: ${error.message}`)));
    });
    this.#done.catch((error: unknown) => this.fail(error));
    this.sink = new Writable({
      write: (chunk: Buffer, _encoding, callback) => void this.#write(chunk).then(() => callback(), callback),
      final: (callback) => void this.#finish().then(() => callback(), callback),
    });
  }

  /** Records the first failure and stops the flow; the download is cancelled with it. */
  fail(error: unknown): void {
    if (this.#failure !== undefined) return;
    this.#failure = error;
    this.sink.destroy(error instanceof Error ? error : new Error(messageOf(error)));
  }

  get failure(): unknown {
    return this.#failure;
  }

  async #write(chunk: Buffer): Promise<void> {
    while (this.#pending.size >= MAX_PENDING_WRITES) await Promise.race(this.#pending);
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#parser.write(chunk)) return;
    await new Promise<void>((resolve) => this.#parser.once("drain", resolve));
  }

  async #finish(): Promise<void> {
    this.#parser.end();
    await this.#done;
    await this.settled();
  }

  /** Waits for every file write, whatever their outcome. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled(this.#pending);
  }

  #track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => this.fail(error)).finally(() => this.#pending.delete(tracked));
    this.#pending.add(tracked);
  }

  #onIgnored(entry: ReadEntry): void {
    if (entry.meta) this.fail(invalidArchive(`archive has an extended header of ${entry.size} bytes, too large to read`));
    else this.#onEntry(entry);
  }

  #onEntry(entry: ReadEntry): void {
    try {
      this.#top ??= entry.path.split("/")[0] ?? "";
      const place = placeEntry(entry.path, this.#top, this.#options.folder);
      if (place.kind === "skip" || this.#failure !== undefined) return void entry.resume();
      this.result.found = true;
      if (place.relative === "") {
        if (entry.type !== "Directory") throw invalidArchive(`archive entry "${entry.path}" should be the package folder but is not a folder`);
        return void entry.resume();
      }
      this.#place(entry, place.relative);
    } catch (error) {
      entry.resume();
      this.fail(error);
    }
  }

  #place(entry: ReadEntry, relative: string): void {
    const { bounds, dest } = this.#options;
    checkShape(relative, bounds);
    const type = writableType(entry.type, relative);
    if (++this.result.files > bounds.maxFiles) throw invalidArchive(`package folder has more than ${bounds.maxFiles} files and folders`);
    const target = path.join(dest, relative);
    if (type === "folder") {
      entry.resume();
      return this.#track(mkdir(target, { recursive: true }).then(() => undefined, (error: unknown) => Promise.reject(fsProblem(error, relative))));
    }
    this.result.bytes += entry.size;
    if (this.result.bytes > bounds.maxPackageBytes) {
      throw invalidArchive(`package folder is larger than ${bounds.maxPackageBytes} bytes`, { bytes: this.result.bytes });
    }
    this.#track(this.#writeFile(entry, target, relative));
  }

  /** Writes one file, never over an existing one; the entry stays paused until the file is open. */
  async #writeFile(entry: ReadEntry, target: string, relative: string): Promise<void> {
    let handle;
    try {
      await mkdir(path.dirname(target), { recursive: true });
      handle = await open(target, "wx", 0o644);
    } catch (error) {
      entry.resume();
      throw fsProblem(error, relative);
    }
    const out = handle.createWriteStream();
    await new Promise<void>((resolve, reject) => {
      out.on("close", resolve);
      out.on("error", reject);
      entry.pipe(out);
    });
  }
}

/**
 * Extracts `options.folder` of a gzipped tarball into `options.dest` while `body` downloads.
 * Any refused entry or exceeded bound fails the whole extraction with 422 `invalid_archive`;
 * the caller removes `dest` then.
 */
export async function extractTarball(body: Readable, options: ExtractOptions): Promise<Extracted> {
  const { bounds } = options;
  if (options.length !== undefined && options.length > bounds.maxDownloadBytes) {
    body.destroy();
    throw invalidArchive(`archive is ${options.length} bytes, more than ${bounds.maxDownloadBytes}`, { bytes: options.length });
  }
  const extraction = new Extraction(options);
  const download = counter(bounds.maxDownloadBytes, (n) => invalidArchive(`archive is more than ${bounds.maxDownloadBytes} bytes (read ${n})`), undefined, options.onDownloaded);
  const expanded = counter(
    bounds.maxExpandedBytes,
    (n) => invalidArchive(`archive expands to more than ${bounds.maxExpandedBytes} bytes (read ${n})`),
    (first) => {
      if (first[0] === GZIP_MAGIC[0] && first[1] === GZIP_MAGIC[1]) extraction.fail(invalidArchive("archive is compressed twice"));
    },
  );
  const gunzip = createGunzip();
  try {
    await pipeline(body, download, gunzip, expanded, extraction.sink);
  } catch (error) {
    await extraction.settled();
    const failure = extraction.failure ?? error;
    if ((failure as NodeJS.ErrnoException).code?.startsWith("Z_")) throw invalidArchive(`archive is not valid gzip: ${messageOf(failure)}`);
    throw failure;
  }
  await extraction.settled();
  return extraction.result;
}
