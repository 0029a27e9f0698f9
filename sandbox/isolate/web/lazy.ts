// Loads the web APIs most packages never touch (Blob, File, FormData,
// URLPattern) on first use: esbuild keeps a required module's code unrun until then.

import type * as Forms from "./form_data.ts";
import type * as Patterns from "urlpattern-polyfill/urlpattern";

/** esbuild turns this into a lazy initializer of the bundled module (never Node's require). */
declare const require: (path: string) => unknown;

let forms: typeof Forms | undefined;
let patterns: typeof Patterns | undefined;

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
