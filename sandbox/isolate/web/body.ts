// The body of a Request or Response: the bytes when they are known up front
// (so a small answer crosses to the host in one message), else a stream.

import type { ReadableStream } from "web-streams-polyfill";
import { TextDecoder, TextEncoder } from "@exodus/bytes/encoding-lite.js";
import { isURLSearchParams } from "./url.ts";
import { formsIfLoaded, streamsIfLoaded, streamsModule } from "./lazy.ts";

const encoder = new TextEncoder();

export type BodyInit = string | ArrayBuffer | ArrayBufferView | ReadableStream<Uint8Array>;

function copyBytes(view: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (view instanceof ArrayBuffer) return new Uint8Array(view.slice(0));
  return new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength) as ArrayBuffer);
}

/** Streams load on first use (lazy.ts): before, no value is one. */
function isStream(value: unknown): value is ReadableStream<Uint8Array> {
  const streams = streamsIfLoaded();
  return streams !== undefined && value instanceof streams.ReadableStream;
}

/** Reads a stream to its end; every chunk must be a Uint8Array, as the standard requires. */
async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!(value instanceof Uint8Array)) throw new TypeError("Body chunks must be Uint8Array");
    chunks.push(value);
    total += value.byteLength;
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

export class Body {
  #bytes: Uint8Array | null;
  #stream: ReadableStream<Uint8Array> | null;
  #used = false;

  private constructor(bytes: Uint8Array | null, stream: ReadableStream<Uint8Array> | null) {
    this.#bytes = bytes;
    this.#stream = stream;
  }

  static empty(): Body {
    return new Body(null, null);
  }

  static ofBytes(bytes: Uint8Array): Body {
    return new Body(bytes, null);
  }

  static ofStream(stream: ReadableStream<Uint8Array>): Body {
    return new Body(null, stream);
  }

  /** Extracts a body from what a constructor was given, with the content type it implies. */
  static extract(init: unknown): { body: Body; type: string | null } {
    if (init === null || init === undefined) return { body: Body.empty(), type: null };
    if (typeof init === "string") return { body: Body.ofBytes(encoder.encode(init)), type: "text/plain;charset=UTF-8" };
    if (isURLSearchParams(init)) {
      return { body: Body.ofBytes(encoder.encode(String(init))), type: "application/x-www-form-urlencoded;charset=UTF-8" };
    }
    if (init instanceof ArrayBuffer || ArrayBuffer.isView(init)) return { body: Body.ofBytes(copyBytes(init)), type: null };
    if (isStream(init)) return { body: Body.ofStream(init), type: null };
    // A Blob or FormData exists only once their module is loaded (web/lazy.ts).
    const forms = formsIfLoaded();
    if (forms && init instanceof forms.Blob) return { body: Body.ofBytes(forms.bytesOfBlob(init)), type: init.type || null };
    if (forms && init instanceof forms.FormData) {
      const { bytes, type } = forms.serializeFormData(init);
      return { body: Body.ofBytes(bytes), type };
    }
    return { body: Body.ofBytes(encoder.encode(String(init))), type: "text/plain;charset=UTF-8" };
  }

  get isNull(): boolean {
    return this.#bytes === null && this.#stream === null;
  }

  /** The body as a stream, made on first access when it was bytes. */
  get stream(): ReadableStream<Uint8Array> | null {
    if (this.#stream === null && this.#bytes !== null) {
      const bytes = this.#bytes;
      this.#stream = new (streamsModule().ReadableStream<Uint8Array>)({
        start(controller) {
          if (bytes.byteLength > 0) controller.enqueue(bytes.slice());
          controller.close();
        },
      });
      this.#bytes = null;
    }
    return this.#stream;
  }

  get used(): boolean {
    return this.#used || (this.#stream !== null && (this.#stream as unknown as { _disturbed?: boolean })._disturbed === true);
  }

  /** The known bytes when nobody has turned the body into a stream yet: the fast path to the host. */
  get knownBytes(): Uint8Array | null {
    return this.#stream === null ? this.#bytes : null;
  }

  /** Takes the body over for a message to the host, marking it used. */
  take(): { bytes: Uint8Array } | { stream: ReadableStream<Uint8Array> } | null {
    if (this.used) throw new TypeError("Body already consumed.");
    this.#used = true;
    if (this.#stream === null) return this.#bytes === null ? null : { bytes: this.#bytes };
    if (this.#stream.locked) throw new TypeError("ReadableStream is locked.");
    return { stream: this.#stream };
  }

  async bytes(): Promise<Uint8Array> {
    // A null body reads as empty and, as in the standard, is never "used".
    if (this.isNull) return new Uint8Array(0);
    if (this.used) throw new TypeError("Body already consumed.");
    if (this.#stream?.locked) throw new TypeError("ReadableStream is locked.");
    this.#used = true;
    if (this.#stream === null) return this.#bytes === null ? new Uint8Array(0) : this.#bytes.slice();
    return readAll(this.#stream);
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(await this.bytes());
  }

  /** Two bodies reading the same content: tees a stream, shares bytes (never mutated). */
  clone(): Body {
    if (this.used) throw new TypeError("Body already consumed.");
    if (this.#stream === null) return new Body(this.#bytes, null);
    const [left, right] = this.#stream.tee();
    this.#stream = left;
    return Body.ofStream(right);
  }
}

/** The methods Request and Response share, over their Body. */
export async function jsonOf(body: Body): Promise<unknown> {
  return JSON.parse(await body.text());
}

export async function arrayBufferOf(body: Body): Promise<ArrayBuffer> {
  const bytes = await body.bytes();
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
