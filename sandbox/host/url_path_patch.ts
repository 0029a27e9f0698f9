// Deno's URL path percent-encode set in the bundled whatwg-url: Deno (rust-url)
// leaves `^` in paths as is (not in userinfo), whatwg-url encodes it (%5E).

/** whatwg-url's sets as esbuild emits them, with or without whitespace (the helper `p` may be renamed `p2`...). */
const PATH_SET = /(extraPathPercentEncodeSet ?= ?(?:\/\* @__PURE__ \*\/ )?new Set\(\[(\w+)\("\?"\), ?\w+\("`"\), ?\w+\("\{"\), ?\w+\("\}"\)), ?\w+\("\^"\)\]\)/g;
const USERINFO_SET = /(extraUserinfoPercentEncodeSet ?=\s*(?:\/\* @__PURE__ \*\/ )?new Set\(\[(\w+)\("\/"\)[^\n]*?\w+\("\|"\))\]\)/g;

function patch(bundle: string, set: RegExp, name: string, replacement: string): string {
  const found = bundle.match(set)?.length ?? 0;
  if (found !== 1) throw new Error(`cannot patch whatwg-url's ${name} percent-encode set: found ${found} times in the runtime bundle, expected once`);
  return bundle.replace(set, replacement);
}

/**
 * Moves `^` from the path percent-encode set to the userinfo one (which
 * whatwg-url builds on the path set). Throws when a set is not found exactly
 * once, so an upgrade of whatwg-url that changes them fails the build instead
 * of silently differing from Deno.
 */
export function withDenoPathEncodeSet(bundle: string): string {
  const pathless = patch(bundle, PATH_SET, "path", "$1])");
  return patch(pathless, USERINFO_SET, "userinfo", '$1, $2("^")])');
}
