// Loads the web APIs most packages never touch (Blob, File, FormData,
// URLPattern, streams) on first use: esbuild keeps a required module's code unrun
// until then, and the forms and URLPattern libraries are parts the host runs on demand (web/parts.ts).

import type * as Forms from "./form_data.ts";
import type { UrlPatternPart as Patterns } from "./url_pattern_part.ts";
import type * as Streams from "web-streams-polyfill";
import { withPristineIntrinsics } from "../core/pristine.ts";
import { runPart } from "./parts.ts";
import { urlClasses } from "./url.ts";

/** esbuild turns this into a lazy initializer of the bundled module (never Node's require). */
declare const require: (path: string) => unknown;

let forms: typeof Forms | undefined;
let patterns: Patterns | undefined;
let streams: typeof Streams | undefined;

export function formsModule(): typeof Forms {
  forms ??= require("./form_data.ts") as typeof Forms;
  return forms;
}

/** The forms module if something already loaded it: no Blob or FormData can exist before. */
export function formsIfLoaded(): typeof Forms | undefined {
  return forms;
}

export function patternsModule(): Patterns {
  if (patterns) return patterns;
  // The polyfill parses with URL at call time: the runtime's, handed over.
  const { URL, URLSearchParams } = urlClasses();
  patterns = runPart("urlpattern", { URL, URLSearchParams }) as Patterns;
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
