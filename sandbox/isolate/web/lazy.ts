// Loads the web APIs most packages never touch (Blob, File, FormData,
// URLPattern, streams) on first use: esbuild keeps a required module's code unrun until then.

import type * as Forms from "./form_data.ts";
import type * as Patterns from "urlpattern-polyfill/urlpattern";
import type * as Streams from "./streams.ts";

/** esbuild turns this into a lazy initializer of the bundled module (never Node's require). */
declare const require: (path: string) => unknown;

let forms: typeof Forms | undefined;
let patterns: typeof Patterns | undefined;
let streams: typeof Streams | undefined;

/** The globals streams.ts provides, installed as lazy globals by the bootstrap. */
export const STREAM_NAMES = [
  "ByteLengthQueuingStrategy",
  "CountQueuingStrategy",
  "ReadableByteStreamController",
  "ReadableStream",
  "ReadableStreamBYOBReader",
  "ReadableStreamBYOBRequest",
  "ReadableStreamDefaultController",
  "ReadableStreamDefaultReader",
  "TransformStream",
  "TransformStreamDefaultController",
  "WritableStream",
  "WritableStreamDefaultController",
  "WritableStreamDefaultWriter",
] as const satisfies readonly (keyof typeof Streams)[];

/**
 * The streams module, loaded by the runtime's own code or a global's first
 * access; the runtime never reads the globals, which package code may have replaced.
 */
export function streamsModule(): typeof Streams {
  streams ??= require("./streams.ts") as typeof Streams;
  return streams;
}

/** True for a ReadableStream; never loads the module to find out: none can exist before it is loaded. */
export function isReadableStream(value: unknown): value is Streams.ReadableStream {
  return streams !== undefined && value instanceof streams.ReadableStream;
}

export function formsModule(): typeof Forms {
  forms ??= require("./form_data.ts") as typeof Forms;
  return forms;
}

/** The forms module if something already loaded it: no Blob or FormData can exist before. */
export function formsIfLoaded(): typeof Forms | undefined {
  return forms;
}

export function patternsModule(): typeof Patterns {
  patterns ??= require("urlpattern-polyfill/urlpattern") as typeof Patterns;
  return patterns;
}
