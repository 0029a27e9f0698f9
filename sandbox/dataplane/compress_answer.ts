// Automatic response compression as `deno serve` does it when
// DENO_SERVE_AUTOMATIC_COMPRESSION is set (Deno 2.9 leaves it off by default).

import { createRequire } from "node:module";
import zlib from "node:zlib";
import type { HeaderList } from "../isolate/core/bridge.ts";
import type { ChunkSource, SandboxResponse } from "../sandbox.ts";
import { preferredEncoding, type Encoding } from "./accept_encoding.ts";

/** mime-db's `compressible` flags: Deno's table comes from it, with no fallback for unlisted types. */
const MIME_DB = createRequire(import.meta.url)("mime-db") as Record<string, { compressible?: boolean }>;

/** Deno leaves bodies of known length under this many bytes as they are. */
const MIN_BYTES = 64;
/** At most this many answers are compressed at once per sandbox process; past it they go out as they are. */
export const MAX_COMPRESSING = 32;
/** Fast settings with small windows: a compressor holds well under 1 MiB, whatever the package sends. */
const GZIP: zlib.ZlibOptions = { level: 4, memLevel: 8, windowBits: 15 };
const BROTLI: zlib.BrotliOptions = {
  params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4, [zlib.constants.BROTLI_PARAM_LGWIN]: 18 },
};

let compressing = 0;

/** Whether a package opted in as a Deno program does: `DENO_SERVE_AUTOMATIC_COMPRESSION=1` (or `true`) in its environment. */
export function wantsCompression(env: Record<string, string>): boolean {
  const value = env.DENO_SERVE_AUTOMATIC_COMPRESSION;
  return value === "1" || value === "true";
}

function valuesOf(headers: HeaderList, name: string): string[] {
  return headers.filter(([key]) => key.toLowerCase() === name).map(([, value]) => value);
}

function compressibleType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const essence = contentType.split(";")[0]!.trim().toLowerCase();
  return MIME_DB[essence]?.compressible === true;
}

function noTransform(cacheControl: string | undefined): boolean {
  return cacheControl !== undefined && cacheControl.split(",").some((part) => part.trim().toLowerCase() === "no-transform");
}

/** Deno's rules (ext/http `is_response_compressible`): a compressible type, not encoded or ranged already, transforms allowed. */
function compressible(headers: HeaderList): boolean {
  const first = (name: string) => valuesOf(headers, name)[0];
  return compressibleType(first("content-type")) && first("content-encoding") === undefined && first("content-range") === undefined && !noTransform(first("cache-control"));
}

/** The head Deno sends with a compressed body: no length, Vary names Accept-Encoding, a weak ETag, the encoding. */
function compressedHeaders(headers: HeaderList, encoding: Encoding): HeaderList {
  let varied = false;
  const out: HeaderList = [];
  for (const [name, value] of headers) {
    const key = name.toLowerCase();
    if (key === "content-length") continue;
    if (key === "vary" && !varied) {
      varied = true;
      out.push([name, value.toLowerCase().includes("accept-encoding") ? value : `Accept-Encoding, ${value}`]);
    } else if (key === "etag" && !value.startsWith("W/")) out.push([name, `W/${value}`]);
    else out.push([name, value]);
  }
  if (!varied) out.push(["vary", "Accept-Encoding"]);
  out.push(["content-encoding", encoding]);
  return out;
}

function onceSource(bytes: Uint8Array): ChunkSource {
  let sent = false;
  return {
    read: async () => (sent ? null : ((sent = true), bytes)),
    cancel: () => undefined,
  };
}

/**
 * The package's body, compressed chunk by chunk: each chunk is flushed as it
 * comes (as Deno does), so a streamed answer stays streamed. The compressor
 * is made on the first read and freed at the end, on error and on cancel.
 */
function compressedSource(source: ChunkSource, encoding: Encoding): ChunkSource {
  let stream: zlib.Gzip | zlib.BrotliCompress | undefined;
  let out: Buffer[] = [];
  let finished = false;
  const release = () => {
    if (finished) return;
    finished = true;
    compressing--;
    stream?.destroy();
  };
  const open = () => {
    stream = encoding === "br" ? zlib.createBrotliCompress(BROTLI) : zlib.createGzip(GZIP);
    stream.on("data", (chunk: Buffer) => out.push(chunk));
    stream.on("error", () => undefined);
    return stream;
  };
  const take = (): Uint8Array | null => {
    const bytes = out.length === 1 ? out[0]! : Buffer.concat(out);
    out = [];
    return bytes.byteLength === 0 ? null : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
  /** Runs one write, flush or end; settles when its output is out, or when the compressor fails. */
  const step = (act: (z: zlib.Gzip | zlib.BrotliCompress, done: () => void) => void) =>
    new Promise<void>((resolve, reject) => {
      const z = stream ?? open();
      z.once("error", reject);
      act(z, () => {
        z.off("error", reject);
        resolve();
      });
    });
  return {
    read: async () => {
      try {
        for (;;) {
          if (finished) return null;
          const chunk = await source.read();
          if (chunk === null) {
            await step((z, done) => z.once("end", done).end());
            const last = take();
            release();
            return last;
          }
          const kind = encoding === "br" ? zlib.constants.BROTLI_OPERATION_FLUSH : zlib.constants.Z_SYNC_FLUSH;
          await step((z, done) => {
            z.write(chunk);
            z.flush(kind, done);
          });
          const bytes = take();
          if (bytes !== null) return bytes;
        }
      } catch (error) {
        release();
        throw error;
      }
    },
    cancel: (reason) => {
      release();
      source.cancel(reason);
    },
  };
}

/**
 * The answer as `deno serve` with automatic compression sends it: compressed
 * with the encoding the request prefers when its type is compressible, else
 * unchanged. Past MAX_COMPRESSING answers at once, unchanged (compression is
 * the server's choice), so a package cannot pile up compressors on the host.
 */
export function compressAnswer(answer: SandboxResponse, requestHeaders: HeaderList): SandboxResponse {
  const { body } = answer;
  if (body === null || (body instanceof Uint8Array && body.byteLength < MIN_BYTES)) return answer;
  const encoding = preferredEncoding(valuesOf(requestHeaders, "accept-encoding"));
  if (encoding === null || !compressible(answer.headers) || compressing >= MAX_COMPRESSING) return answer;
  compressing++;
  const source = body instanceof Uint8Array ? onceSource(body) : body;
  return { ...answer, headers: compressedHeaders(answer.headers, encoding), body: compressedSource(source, encoding) };
}

/** Answers being compressed now in this process (for tests of the bound). */
export function compressingNow(): number {
  return compressing;
}
