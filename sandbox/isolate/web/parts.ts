// Runs a part of the runtime kept out of its first script (the bridge's
// `loadPart`), handing it the runtime's own globals and taking its exports back.

import { PART_GLOBALS, type PartName } from "../core/part_globals.ts";
import { pristineGlobal } from "../core/pristine.ts";

const global = globalThis as unknown as Record<string, unknown>;
// Taken while the runtime's script runs, before any package code: a package that replaces them later does not reach this.
const { create, hasOwn } = Object;
const { defineProperty, deleteProperty } = Reflect;

let loadPart: ((name: PartName) => boolean) | undefined;

/**
 * Called by `boot` once it installed the globals and took their record
 * (core/pristine.ts), before package code runs: what every part sees under
 * the names of PART_GLOBALS. A lazy global is not in the record: a caller that needs one hands it over.
 */
export function prepareParts(load: (name: PartName) => boolean): void {
  loadPart = load;
}

/**
 * Runs the part (at most once per isolate: the host refuses a second run)
 * and answers its exports. Inside it, the names of PART_GLOBALS, `globalThis`
 * and `self` are the runtime's values (`given` first), never the global object's.
 */
export function runPart(name: PartName, given: Record<string, unknown> = {}): unknown {
  if (!loadPart) throw new TypeError("the runtime has not started");
  const input = create(null) as Record<string, unknown>;
  for (const key of PART_GLOBALS) input[key] = hasOwn(given, key) ? given[key] : pristineGlobal[key];
  input.globalThis = input;
  input.self = input;
  const out = create(null) as { exports?: unknown };
  input.__isopodPartOut = out;
  if (!defineProperty(global, "__isopodPartIn", { value: input, configurable: true, enumerable: false, writable: false })) {
    throw new TypeError(`the runtime's ${name} part could not be loaded: the package took the global __isopodPartIn`);
  }
  try {
    loadPart(name);
  } finally {
    deleteProperty(global, "__isopodPartIn");
  }
  if (out.exports === undefined) throw new TypeError(`the runtime's ${name} part could not be loaded`);
  return out.exports;
}
