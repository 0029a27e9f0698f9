// Loads the web APIs most packages never touch (Blob, File, FormData,
// URLPattern, streams) on first use: esbuild keeps a required module's code unrun until then.

import type * as Forms from "./form_data.ts";
import type * as Patterns from "urlpattern-polyfill/urlpattern";
import type * as Streams from "web-streams-polyfill";
import { withPristineIntrinsics } from "../core/pristine.ts";

/** esbuild turns this into a lazy initializer of the bundled module (never Node's require). */
declare const require: (path: string) => unknown;

let forms: typeof Forms | undefined;
let patterns: typeof Patterns | undefined;
let streams: typeof Streams | undefined;

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

/**
 * web-streams-polyfill, evaluated on first use against the runtime's own
 * globals and intrinsics (core/pristine.ts): it keeps `Promise.prototype.then`
 * and the like from its evaluation, which may come after package code.
 */
export function streamsModule(): typeof Streams {
  streams ??= withPristineIntrinsics(() => require("web-streams-polyfill") as typeof Streams);
  return streams;
}

/** The streams module if something already loaded it: no stream can exist before. */
export function streamsIfLoaded(): typeof Streams | undefined {
  return streams;
}
