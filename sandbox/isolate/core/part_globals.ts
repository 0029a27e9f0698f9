// The names a runtime part (a script the host runs on demand, web/parts.ts)
// sees as the runtime's own values, whatever the package put on the global object since.

/** The parts the host knows, each a script of its own (sandbox/host/runtime_source.ts). */
export const PART_NAMES = ["url", "urlpattern", "forms"] as const;
export type PartName = (typeof PART_NAMES)[number];

/**
 * Shadowed in every part by the values the runtime took before any package
 * code ran (or handed over by the caller, for its lazy globals): a part's
 * module reads these when it is evaluated, which is after package code.
 */
export const PART_GLOBALS = [
  "Object", "Array", "Symbol", "Promise", "Reflect", "Proxy", "Function",
  "Error", "TypeError", "RangeError", "SyntaxError", "RegExp",
  "Map", "Set", "WeakMap", "WeakSet", "String", "Number", "Boolean", "BigInt", "Math", "JSON", "Date",
  "ArrayBuffer", "DataView", "Uint8Array", "Uint16Array", "Uint32Array", "Int32Array", "Float64Array",
  "parseInt", "parseFloat", "isNaN", "encodeURIComponent", "decodeURIComponent",
  "TextEncoder", "TextDecoder", "DOMException", "btoa", "atob",
  "URL", "URLSearchParams", "Blob", "File",
] as const;
