// The Fetch standard's Body mixin: the members Request and Response share
// (body, bodyUsed, arrayBuffer, bytes, text, json, formData, and Deno's textStream), written once.

import { arrayBufferOf, jsonOf, type Body } from "./body.ts";
import type { ReadableStream } from "web-streams-polyfill";
import { TextDecoderStream } from "@exodus/bytes/encoding-lite.js";
import type { Blob, FormData } from "./form_data.ts";
import { formsModule, streamsModule } from "./lazy.ts";

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** A content type as the MIME Sniffing standard serializes it (`text/html;charset=utf-8`); "" when it does not parse. */
function mimeTypeOf(header: string | null): string {
  if (header === null) return "";
  const [essence = "", ...rest] = header.split(";");
  const [kind, subtype] = essence.trim().toLowerCase().split("/");
  if (!kind || !subtype || !TOKEN.test(kind) || !TOKEN.test(subtype)) return "";
  const params = rest.flatMap((param) => {
    const at = param.indexOf("=");
    if (at < 0) return [];
    const name = param.slice(0, at).trim().toLowerCase();
    const value = param.slice(at + 1).trim();
    return TOKEN.test(name) && value !== "" ? [`${name}=${value}`] : [];
  });
  return [`${kind}/${subtype}`, ...params].join(";");
}

type WritableStreamOf<T> = Parameters<ReadableStream<T>["pipeThrough"]>[0]["writable"];

/** What the mixin adds; a class declares it with `interface X extends BodyMembers {}`. */
export interface BodyMembers {
  readonly body: ReadableStream<Uint8Array> | null;
  readonly bodyUsed: boolean;
  arrayBuffer(): Promise<ArrayBuffer>;
  bytes(): Promise<Uint8Array>;
  text(): Promise<string>;
  json(): Promise<unknown>;
  formData(): Promise<FormData>;
  blob(): Promise<Blob>;
  /** Deno's: the body decoded as UTF-8, as a stream of strings. */
  textStream(): ReadableStream<string>;
}

/**
 * Defines the Body members on `target.prototype`, reading each object's body
 * through `bodyOf`. Like a class's own members they are non-enumerable and keep
 * their names, and the prototype chain stays as in Deno (no shared base class).
 */
export function mixinBody<T extends object>(
  target: { prototype: T; name: string },
  bodyOf: (self: T) => Body,
  typeOf: (self: T) => string | null,
): void {
  const of = (self: unknown) => bodyOf(self as T);
  const type = (self: unknown) => typeOf(self as T);
  const members = {
    get body(): ReadableStream<Uint8Array> | null {
      return of(this).stream as ReadableStream<Uint8Array> | null;
    },
    get bodyUsed(): boolean {
      return of(this).used;
    },
    arrayBuffer(): Promise<ArrayBuffer> {
      return arrayBufferOf(of(this));
    },
    bytes(): Promise<Uint8Array> {
      return of(this).bytes();
    },
    text(): Promise<string> {
      return of(this).text();
    },
    json(): Promise<unknown> {
      return jsonOf(of(this));
    },
    async formData(): Promise<FormData> {
      const bytes = await of(this).bytes();
      return formsModule().parseFormData(bytes, type(this));
    },
    textStream(): ReadableStream<string> {
      const body = of(this);
      if (body.used) throw new TypeError("Body already consumed.");
      const stream = body.stream;
      if (stream === null) return new (streamsModule().ReadableStream<string>)({ start: (controller) => controller.close() });
      return stream.pipeThrough(new TextDecoderStream() as unknown as { writable: WritableStreamOf<Uint8Array>; readable: ReadableStream<string> });
    },
    async blob(): Promise<Blob> {
      const bytes = await of(this).bytes();
      const forms = formsModule();
      return new forms.Blob([bytes], { type: mimeTypeOf(type(this)) });
    },
  };
  const descriptors = Object.getOwnPropertyDescriptors(members);
  for (const descriptor of Object.values(descriptors)) descriptor.enumerable = false;
  Object.defineProperties(target.prototype, descriptors);
}
