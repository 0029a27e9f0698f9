// Accept-Encoding as Deno 2.9 reads it (each case checked against real Deno;
// tests/fixtures/conformance/compression compares them whole-stack).

import assert from "node:assert/strict";
import { test } from "node:test";
import { preferredEncoding } from "./accept_encoding.ts";

const CASES: [string, string | null][] = [
  ["gzip, deflate, br", "br"],
  ["gzip;q=1, br;q=0.5", "gzip"],
  ["br;q=0.8, gzip;q=0.8", "br"],
  ["identity, gzip", "gzip"],
  ["gzip;q=0.4, br;q=0.5, identity;q=0.9", null],
  ["*", null],
  ["*;q=0.5, gzip;q=0.4", "gzip"],
  ["GZIP", null],
  ["gzip;Q=0.9, br;q=0.5", "br"],
  ["gzip ;q=0.9", null],
  ["gzip;q=1.5, br;q=0.9", "br"],
  ["gzip;q=.5, br;q=0.4", "gzip"],
  ["gzip;q=0, br;q=0", null],
  ["", null],
];

for (const [header, expected] of CASES) {
  test(`Accept-Encoding ${JSON.stringify(header)} picks ${String(expected)}`, () => {
    assert.equal(preferredEncoding([header]), expected);
  });
}
