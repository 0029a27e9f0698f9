// The in-isolate runtime (sandbox/isolate/) as one script, bundled once per
// host process and reused by every isolate.

import { buildSync } from "esbuild";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

/** The bootstrap script's source; built on first use, then cached. */
export function runtimeSource(): string {
  if (cached === undefined) {
    const result = buildSync({
      entryPoints: [fileURLToPath(new URL("./isolate/bootstrap.ts", import.meta.url))],
      bundle: true,
      format: "iife",
      platform: "neutral",
      target: "es2022",
      write: false,
      logLevel: "silent",
    });
    cached = result.outputFiles[0]!.text;
  }
  return cached;
}
