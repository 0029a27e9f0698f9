// The in-isolate runtime (sandbox/isolate/) as scripts bundled once per host
// process, compiled with a shared V8 code cache: the bootstrap, and the URL part.

import { buildSync } from "esbuild";
import { fileURLToPath } from "node:url";
import { CachedScript } from "./ivm.ts";
import { buildWithPristineGlobals } from "./pristine_globals.ts";
import { withDenoPathEncodeSet } from "./url_path_patch.ts";

/** Set at build time in the sandbox process's bundle (sandbox_entry.ts), which the host builds once for every process it starts. */
declare const ISOPOD_PREBUILT_RUNTIME: string | undefined;
declare const ISOPOD_PREBUILT_URL_PART: string | undefined;

let cached: string | undefined = typeof ISOPOD_PREBUILT_RUNTIME === "string" ? ISOPOD_PREBUILT_RUNTIME : undefined;
let cachedUrlPart: string | undefined = typeof ISOPOD_PREBUILT_URL_PART === "string" ? ISOPOD_PREBUILT_URL_PART : undefined;
let script: CachedScript | undefined;
let urlPart: CachedScript | undefined;

/** The bootstrap script's source; built on first use, then cached. */
export function runtimeSource(): string {
  cached ??= build("../isolate/core/bootstrap.ts");
  return cached;
}

/**
 * whatwg-url and its IDNA table (isolate/web/url_part.ts), half the runtime's
 * size: every isolate keeps its own copy of a script's source, so only
 * isolates that parse a URL the fast path does not take get this one.
 */
export function urlPartSource(): string {
  cachedUrlPart ??= withDenoPathEncodeSet(build("../isolate/web/url_part.ts"));
  return cachedUrlPart;
}

/** Modules evaluated on first use (isolate/web/lazy.ts) whose free globals are the runtime's own (isolate/core/pristine.ts). */
const LAZY_THIRD_PARTY = ["web-streams-polyfill"];

function build(entry: string): string {
  return buildWithPristineGlobals(LAZY_THIRD_PARTY, (lazy, folder) => buildWith(entry, lazy, folder));
}

function buildWith(entry: string, lazy: Record<string, string>, folder: string): string {
  const result = buildSync({
    // Module names in the bundle are paths from here: the same at every build (pristine_globals.ts).
    absWorkingDir: folder,
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
    bundle: true,
    format: "iife",
    platform: "neutral",
    mainFields: ["module", "main"],
    target: "es2022",
    write: false,
    logLevel: "silent",
    // Every isolate keeps its own copy of this source (isolated-vm copies the string per compile, and V8 holds
    // it for lazy compilation): without the whitespace it is a quarter smaller (docs/architecture.md, "Memory per package").
    minifyWhitespace: true,
    // whatwg-url asks for every legacy encoding; URLs only need UTF-8, so keep the lite tables out.
    alias: {
      ...lazy,
      // (Aliases are resolved from the working folder, so the target is a resolved path.)
      "@exodus/bytes/encoding.js": fileURLToPath(import.meta.resolve("@exodus/bytes/encoding-lite.js")),
      // formdata-polyfill builds on fetch-blob, which needs Node; the runtime's own Blob and File stand in.
      "fetch-blob": fileURLToPath(new URL("../isolate/web/blob.ts", import.meta.url)),
      "fetch-blob/file.js": fileURLToPath(new URL("../isolate/web/file.ts", import.meta.url)),
    },
  });
  return result.outputFiles[0]!.text;
}

/**
 * What runs after the runtime in the isolate that makes its code cache: `boot`
 * with in-isolate stubs for the host's callbacks, then what every start does
 * (a module's `load`, its `start` hook, a log line), so that their functions are in the cache too.
 */
const WARM_UP = `
const dispatch = globalThis.__isopodBoot({ log() {}, timerSet: () => true, timerClear() {}, random: (n) => new Uint8Array(n), now: () => 0,
  clone: (v) => v, callSync: () => ({ ok: true, value: undefined }), callStart() {}, registrySync: () => ({ ok: true, value: undefined }),
  registryCall: () => ({ ok: true, value: undefined }), registryReturn() {}, registryReturnSync() {}, loadPart: () => false,
  rootUrl: "file:///warm-up/" });
globalThis.__isopodEvaluated();
const entry = { start() { console.log("warm-up", 1, { a: [1] }); } };
dispatch("load", { default: entry }).then(() => dispatch("hook", "start", { package: { name: "warm-up", version: "0.0.0" }, config: {} }));
`;

/** The runtime as a script compiled from a code cache made once per process (sandbox/host/ivm.ts). */
export function runtimeScript(): CachedScript {
  script ??= new CachedScript(runtimeSource(), { filename: "isopod:runtime.js", warmUp: WARM_UP });
  return script;
}

/** The URL part as a script, as `runtimeScript`. */
export function urlPartScript(): CachedScript {
  urlPart ??= new CachedScript(urlPartSource(), { filename: "isopod:url.js" });
  return urlPart;
}
