// whatwg-url and its IDNA table, built as a script of their own: the host runs
// it in an isolate on its first URL the fast path does not take (web/url.ts).

/** esbuild turns this into the bundled module (never Node's require). */
declare const require: (id: string) => unknown;
/** Where a part leaves its exports: the host's wrapper passes it in (web/parts.ts). */
declare const __isopodPartOut: { exports?: unknown };

__isopodPartOut.exports = {
  machine: require("whatwg-url/lib/url-state-machine.js"),
  urlencoded: require("whatwg-url/lib/urlencoded.js"),
  url: require("whatwg-url"),
};
