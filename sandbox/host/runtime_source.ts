// The in-isolate runtime (sandbox/isolate/) as scripts bundled once per host
// process, compiled with a shared V8 code cache: the bootstrap, and the parts run on demand.

import { buildSync } from "esbuild";
import { fileURLToPath } from "node:url";
import { CachedScript } from "./ivm.ts";
import { buildWithPristineGlobals } from "./pristine_globals.ts";
import { withDenoPathEncodeSet } from "./url_path_patch.ts";
import { PART_GLOBALS, PART_NAMES, type PartName } from "../isolate/core/part_globals.ts";

/** Set at build time in the sandbox process's bundle (sandbox_entry.ts), which the host builds once for every process it starts. */
declare const ISOPOD_PREBUILT_RUNTIME: string | undefined;
declare const ISOPOD_PREBUILT_PARTS: Record<PartName, string> | undefined;

let cached: string | undefined = typeof ISOPOD_PREBUILT_RUNTIME === "string" ? ISOPOD_PREBUILT_RUNTIME : undefined;
const cachedParts: Partial<Record<PartName, string>> = typeof ISOPOD_PREBUILT_PARTS === "object" ? { ...ISOPOD_PREBUILT_PARTS } : {};
let script: CachedScript | undefined;
const partScripts = new Map<PartName, CachedScript>();

/** Each part's entry, and what it is built with besides the runtime's options. */
const PARTS: Record<PartName, { entry: string; alias?: Record<string, string>; patch?: (code: string) => string }> = {
  url: { entry: "../isolate/web/url_part.ts", patch: withDenoPathEncodeSet },
  urlpattern: { entry: "../isolate/web/url_pattern_part.ts" },
  // formdata-polyfill imports fetch-blob: the runtime's Blob and File, handed over (isolate/web/part_blob.ts).
  forms: { entry: "../isolate/web/forms_part.ts", alias: { "fetch-blob": local("../isolate/web/part_blob.ts"), "fetch-blob/file.js": local("../isolate/web/part_file.ts") } },
};

function local(file: string): string {
  return fileURLToPath(new URL(file, import.meta.url));
}

/** True for a name of a part the host knows. */
export function isPartName(name: unknown): name is PartName {
  return (PART_NAMES as readonly unknown[]).includes(name);
}

/** The bootstrap script's source; built on first use, then cached. */
export function runtimeSource(): string {
  // Only the bootstrap evaluates modules on first use against its recorded globals: the parts have no record to read.
  cached ??= buildWithPristineGlobals(LAZY_THIRD_PARTY, (lazy, folder) => build("../isolate/core/bootstrap.ts", lazy, folder));
  return cached;
}

/**
 * A part of the runtime kept out of the bootstrap (isolate/web/parts.ts):
 * every isolate keeps its own copy of a script's source, so only isolates
 * that use the part get this one. whatwg-url and its IDNA table are most of
 * the runtime's size; URLPattern and the forms code ~40 KB more.
 */
export function partSource(name: PartName): string {
  const part = PARTS[name];
  cachedParts[name] ??= wrapPart((part.patch ?? ((code: string) => code))(build(part.entry, part.alias)));
  return cachedParts[name];
}

/**
 * Runs the part's code with the names of PART_GLOBALS, `globalThis` and `self`
 * bound to what the runtime hands over (a null-prototype object it sets on the
 * global object just before): the part is evaluated after package code, and
 * must not take a global the package replaced. `this` at a script's top level
 * is the global object, which no package can replace. The code runs in an
 * inner function, where its "use strict" is allowed; both are called directly,
 * never through `Function.prototype.call`, which a package may have replaced.
 */
function wrapPart(code: string): string {
  const names = [...PART_GLOBALS, "globalThis", "self", "__isopodPartOut"].join(",");
  return `(function({${names}}){(function(){${code}})();})(this.__isopodPartIn);`;
}

/** Modules the runtime evaluates on first use (isolate/web/lazy.ts) whose free globals are the runtime's own (isolate/core/pristine.ts). */
const LAZY_THIRD_PARTY = ["web-streams-polyfill"];

/** Bundles `entry`; from `folder` when given (the bootstrap's build folder, pristine_globals.ts), else from this module's. */
function build(entry: string, alias: Record<string, string> = {}, folder = local(".")): string {
  const result = buildSync({
    // Module names in the bundle are paths from here: the same at every build.
    absWorkingDir: folder,
    entryPoints: [local(entry)],
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
      // (Aliases are resolved from the working folder, so the target is a resolved path.)
      "@exodus/bytes/encoding.js": fileURLToPath(import.meta.resolve("@exodus/bytes/encoding-lite.js")),
      ...alias,
    },
  });
  return result.outputFiles[0]!.text;
}

/**
 * The host's callbacks as do-nothing functions inside the isolate, as the
 * source of an object for `__isopodBoot`: the runtime booted without a host
 * (its code cache's warm-up, bench/sandbox.ts). `loadPart` is given as source.
 */
export function stubBridge(options: { loadPart: string; rootUrl: string }): string {
  return `{ log() {}, timerSet: () => true, timerClear() {}, random: (n) => new Uint8Array(n), now: () => 0,
  clone: (v) => v, callSync: () => ({ ok: true, value: undefined }), callStart() {}, registrySync: () => ({ ok: true, value: undefined }),
  registryCall: () => ({ ok: true, value: undefined }), registryReturn() {}, registryReturnSync() {}, loadPart: ${options.loadPart},
  rootUrl: ${JSON.stringify(options.rootUrl)} }`;
}

/**
 * What runs after the runtime in the isolate that makes its code cache: `boot`
 * with in-isolate stubs for the host's callbacks, then what every start does
 * (a module's `load`, its `start` hook, a log line), so that their functions are in the cache too.
 */
const WARM_UP = `
const dispatch = globalThis.__isopodBoot(${stubBridge({ loadPart: "() => false", rootUrl: "file:///warm-up/" })});
globalThis.__isopodEvaluated();
const entry = { start() { console.log("warm-up", 1, { a: [1] }); } };
dispatch("load", { default: entry }).then(() => dispatch("hook", "start", { package: { name: "warm-up", version: "0.0.0" }, config: {} }));
`;

/** The runtime as a script compiled from a code cache made once per process (sandbox/host/ivm.ts). */
export function runtimeScript(): CachedScript {
  script ??= new CachedScript(runtimeSource(), { filename: "isopod:runtime.js", warmUp: WARM_UP });
  return script;
}

/** A part as a script, as `runtimeScript`. */
export function partScript(name: PartName): CachedScript {
  let part = partScripts.get(name);
  if (!part) partScripts.set(name, (part = new CachedScript(partSource(name), { filename: `isopod:${name}.js` })));
  return part;
}
