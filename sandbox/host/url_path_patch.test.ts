// The runtime bundle's whatwg-url leaves `^` in paths, as Deno does
// (tests/fixtures/conformance/url compares whole URLs with Deno).

import assert from "node:assert/strict";
import { test } from "node:test";
import { partSource, runtimeSource } from "./runtime_source.ts";
import { withDenoPathEncodeSet } from "./url_path_patch.ts";

test("the bundled path percent-encode set has no ^ and keeps the rest", () => {
  const set = /extraPathPercentEncodeSet ?= ?new Set\(\[[^\]]*\]\)/.exec(partSource("url"))![0];
  assert.doesNotMatch(set, /"\^"/);
  assert.match(set, /"\?".*"`".*"\{".*"\}"/);
});

test("the userinfo percent-encode set gains ^", () => {
  const set = /extraUserinfoPercentEncodeSet ?= ?new Set\(\[.*?"\)\]\)/.exec(partSource("url"))![0];
  assert.match(set, /"\|"\), ?\w+\("\^"\)\]\)$/);
});

test("whatwg-url and its IDNA table are in the URL part, not in the script every isolate runs", () => {
  assert.doesNotMatch(runtimeSource(), /extraPathPercentEncodeSet|mappingTable|punycode/i);
  assert.match(partSource("url"), /extraPathPercentEncodeSet/);
  assert.match(partSource("url"), /mappingTable/);
});

test("a bundle whose set has changed fails loudly instead of differing from Deno", () => {
  assert.throws(() => withDenoPathEncodeSet("var x = 1;"), /cannot patch whatwg-url's path percent-encode set: found 0 times/);
});
