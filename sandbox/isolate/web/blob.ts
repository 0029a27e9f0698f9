// Blob, written to the File API standard over one immutable byte array:
// parts (strings, buffers, views, Blobs), type, slice, stream, text, bytes.

import { TextDecoder, TextEncoder } from "@exodus/bytes/encoding-lite.js";
import type { ReadableStream } from "web-streams-polyfill";
import { streamsModule } from "./lazy.ts";
import { concatBytes } from "./bytes.ts";

const encoder = new TextEncoder();
/** A type outside printable ASCII is dropped, as the standard says. */
const PRINTABLE = /^[\x20-\x7e]*$/;
/** Largest chunk `stream()` hands out, as in Deno. */
const CHUNK = 65536;

export interface BlobPropertyBag {
  type?: string | undefined;
  endings?: "transparent" | "native";
}

function typeOf(type: unknown): string {
  if (type === undefined) return "";
  const text = String(type);
  return PRINTABLE.test(text) ? text.toLowerCase() : "";
}

function bytesOfPart(part: unknown, endings: string): Uint8Array {
  if (part instanceof Blob) return bytesOfBlob(part);
  if (part instanceof ArrayBuffer) return new Uint8Array(part.slice(0));
  if (ArrayBuffer.isView(part)) return new Uint8Array(part.buffer.slice(part.byteOffset, part.byteOffset + part.byteLength) as ArrayBuffer);
  const text = String(part);
  return encoder.encode(endings === "native" ? text.replace(/\r\n|\r/g, "\n") : text);
}


/** The bytes of a Blob, for bodies and FormData; never handed out without a copy. */
export let bytesOfBlob: (blob: Blob) => Uint8Array;

function relative(index: number | undefined, size: number, fallback: number): number {
  if (index === undefined) return fallback;
  // WebIDL [Clamp] long long: rounded to the nearest integer, ties to even.
  const x = Number(index) || 0;
  const floor = Math.floor(x);
  const n = x - floor === 0.5 ? (floor % 2 === 0 ? floor : floor + 1) : Math.round(x);
  return n < 0 ? Math.max(size + n, 0) : Math.min(n, size);
}

export class Blob {
  #bytes: Uint8Array;
  #type: string;

  static {
    bytesOfBlob = (blob) => blob.#bytes;
  }

  constructor(blobParts: unknown = [], options: BlobPropertyBag = {}) {
    if (blobParts !== null && typeof blobParts === "object" && Symbol.iterator in blobParts) {
      const endings = options?.endings ?? "transparent";
      if (endings !== "transparent" && endings !== "native") throw new TypeError(`'${String(endings)}' is not a valid value for enumeration EndingType`);
      this.#bytes = concatBytes([...(blobParts as Iterable<unknown>)].map((part) => bytesOfPart(part, endings)));
    } else if (blobParts === undefined) {
      this.#bytes = new Uint8Array(0);
    } else {
      throw new TypeError("Failed to construct 'Blob': The provided value cannot be converted to a sequence.");
    }
    this.#type = typeOf(options?.type);
  }

  get size(): number {
    return this.#bytes.byteLength;
  }

  get type(): string {
    return this.#type;
  }

  slice(start?: number, end?: number, contentType?: string): Blob {
    const size = this.#bytes.byteLength;
    const from = relative(start, size, 0);
    const to = relative(end, size, size);
    const blob = new Blob([], { type: contentType });
    blob.#bytes = this.#bytes.subarray(from, Math.max(from, to));
    return blob;
  }

  stream(): ReadableStream<Uint8Array> {
    const bytes = this.#bytes;
    let offset = 0;
    return new (streamsModule().ReadableStream<Uint8Array>)({
      pull(controller) {
        if (offset >= bytes.byteLength) {
          controller.close();
          return;
        }
        controller.enqueue(bytes.slice(offset, offset + CHUNK));
        offset += CHUNK;
      },
    });
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(this.#bytes);
  }

  async bytes(): Promise<Uint8Array> {
    return this.#bytes.slice();
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return this.#bytes.slice().buffer as ArrayBuffer;
  }
}

Object.defineProperty(Blob.prototype, Symbol.toStringTag, { value: "Blob", configurable: true });

export default Blob;
