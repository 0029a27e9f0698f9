// Loads the web APIs most packages never touch (Blob, File, FormData,
// URLPattern) on first use: esbuild keeps a required module's code unrun until
// then, and their libraries are parts the host runs on demand (web/parts.ts).

import type * as Forms from "./form_data.ts";
import type { UrlPatternPart as Patterns } from "./url_pattern_part.ts";
import { runPart } from "./parts.ts";
import { urlClasses } from "./url.ts";

/** esbuild turns this into a lazy initializer of the bundled module (never Node's require). */
declare const require: (path: string) => unknown;

let forms: typeof Forms | undefined;
let patterns: Patterns | undefined;

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
