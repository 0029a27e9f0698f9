// URL and URLSearchParams from whatwg-url (the standard's reference
// implementation), loaded on first use: its IDNA table is most of the runtime's
// size, so it is a script of its own (url_part.ts) that the host runs on demand.

import { runPart } from "./parts.ts";
import { parsePlainQuery } from "./query_fast_path.ts";
import { parsePlainURL } from "./url_fast_path.ts";

interface WhatwgUrl {
  URL: new (url: string, base?: string) => { href: string; toString(): string };
  URLSearchParams: new (init?: unknown) => { toString(): string };
}

let loaded: WhatwgUrl | undefined;

interface StateMachine {
  basicURLParse(input: string, options?: { baseURL?: unknown; url?: unknown; stateOverride?: unknown }): unknown;
}

/** Plain http(s) URLs without a base skip the standard's state machine (url_fast_path.ts); the rest go through it. */
function withPlainPath(machine: StateMachine): void {
  const full = machine.basicURLParse;
  machine.basicURLParse = (input, options = {}) =>
    ((options.baseURL === null || options.baseURL === undefined) && options.url === undefined && options.stateOverride === undefined && parsePlainURL(input)) || full(input, options);
}

interface UrlencodedParser {
  parseUrlencodedString(input: string): [string, string][];
}

/** Queries without anything to decode skip the round trip through bytes (query_fast_path.ts); whatwg-url reads the function off its module at each call. */
function withPlainQuery(urlencoded: UrlencodedParser): void {
  const full = urlencoded.parseUrlencodedString;
  urlencoded.parseUrlencodedString = (input) => parsePlainQuery(input) ?? full(input);
}

function load(): WhatwgUrl {
  if (loaded) return loaded;
  const part = runPart("url") as { machine: StateMachine; urlencoded: UrlencodedParser; url: WhatwgUrl };
  withPlainPath(part.machine);
  withPlainQuery(part.urlencoded);
  loaded = part.url;
  return loaded;
}

/** The runtime's URL and URLSearchParams (loading them if need be), for the parts that parse with them. */
export function urlClasses(): WhatwgUrl {
  return load();
}

/** True for a URLSearchParams object; never loads the module to find out. */
export function isURLSearchParams(value: unknown): boolean {
  return loaded !== undefined && value instanceof loaded.URLSearchParams;
}

/** Parses an absolute URL string; throws TypeError as `new URL` does. */
export function parseURL(url: string, base?: string): { href: string } {
  return base === undefined ? new (load().URL)(url) : new (load().URL)(url, base);
}

/** Installs URL and URLSearchParams as getters that load the module once (the URL part, web/parts.ts) and then replace themselves. */
export function installURL(global: Record<string, unknown>): void {
  for (const name of ["URL", "URLSearchParams"] as const) {
    Object.defineProperty(global, name, {
      configurable: true,
      enumerable: false,
      get() {
        const value = load()[name];
        Object.defineProperty(global, name, { value, writable: true, configurable: true, enumerable: false });
        return value;
      },
      set(value: unknown) {
        Object.defineProperty(global, name, { value, writable: true, configurable: true, enumerable: false });
      },
    });
  }
}
