// The in-isolate runtime (sandbox/isolate/) as one script, bundled once per
// host process, compiled with a shared V8 code cache for every isolate.

import { buildSync } from "esbuild";
import { fileURLToPath } from "node:url";
import { CachedScript } from "./ivm.ts";
import { withDenoPathEncodeSet } from "./url_path_patch.ts";

/** Set at build time in the sandbox process's bundle (sandbox_entry.ts), which the host builds once for every process it starts. */
declare const ISOPOD_PREBUILT_RUNTIME: string | undefined;

let cached: string | undefined = typeof ISOPOD_PREBUILT_RUNTIME === "string" ? ISOPOD_PREBUILT_RUNTIME : undefined;
let script: CachedScript | undefined;

/** The bootstrap script's source; built on first use, then cached. */
export function runtimeSource(): string {
  if (cached === undefined) {
    const result = buildSync({
      entryPoints: [fileURLToPath(new URL("../isolate/core/bootstrap.ts", import.meta.url))],
      bundle: true,
      format: "iife",
      platform: "neutral",
      mainFields: ["module", "main"],
      target: "es2022",
      write: false,
      logLevel: "silent",
      // whatwg-url asks for every legacy encoding; URLs only need UTF-8, so keep the lite tables out.
      alias: {
        "@exodus/bytes/encoding.js": "@exodus/bytes/encoding-lite.js",
        // formdata-polyfill builds on fetch-blob, which needs Node; the runtime's own Blob and File stand in.
        "fetch-blob": fileURLToPath(new URL("../isolate/web/blob.ts", import.meta.url)),
        "fetch-blob/file.js": fileURLToPath(new URL("../isolate/web/file.ts", import.meta.url)),
      },
    });
    cached = withDenoPathEncodeSet(result.outputFiles[0]!.text);
  }
  return cached;
}

/**
 * What runs after the runtime in the isolate that makes its code cache: `boot`
 * with in-isolate stubs for the host's callbacks, then what every start does
 * (a module's `load`, its `start` hook, a log line), so that their functions are in the cache too.
 */
const WARM_UP = `
const dispatch = globalThis.__isopodBoot({ log() {}, timerSet: () => true, timerClear() {}, random: (n) => new Uint8Array(n), now: () => 0,
  clone: (v) => v, callSync: () => ({ ok: true, value: undefined }), callStart() {}, registrySync: () => ({ ok: true, value: undefined }),
  registryCall: () => ({ ok: true, value: undefined }), registryReturn() {}, rootUrl: "file:///warm-up/" });
globalThis.__isopodEvaluated();
const entry = { start() { console.log("warm-up", 1, { a: [1] }); } };
dispatch("load", { default: entry }).then(() => dispatch("hook", "start", { package: { name: "warm-up", version: "0.0.0" }, config: {} }));
`;

/** The runtime as a script compiled from a code cache made once per process (sandbox/host/ivm.ts). */
export function runtimeScript(): CachedScript {
  script ??= new CachedScript(runtimeSource(), { filename: "isopod:runtime.js", warmUp: WARM_UP });
  return script;
}
