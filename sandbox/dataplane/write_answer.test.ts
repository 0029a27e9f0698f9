// checkHead refuses exactly the header lists `new Headers(list)` refuses,
// without building one (it runs for every /pkg answer).

import assert from "node:assert/strict";
import { test } from "node:test";
import { checkHead } from "./write_answer.ts";

const PAIRS: [string, string][] = [
  ["content-type", "text/plain"],
  ["x-ok", " padded value "],
  ["x-tab", "a\tb"],
  ["x-latin1", "caf\u00e9"],
  ["x-wide", "\u20ac"],
  ["x-nul", "a\0b"],
  ["x-cr", "a\rb"],
  ["x-lf", "a\nb"],
  ["bad name", "x"],
  ["", "x"],
  ["x:y", "x"],
  ["x-émoji", "x"],
  ["!#$%&'*+-.^_`|~", "x"],
];

function headersAccept(pair: [string, string]): boolean {
  try {
    new Headers([pair]);
    return true;
  } catch {
    return false;
  }
}

function checkAccepts(headers: unknown): boolean {
  try {
    checkHead({ status: 200, statusText: "", headers: headers as [string, string][], body: null });
    return true;
  } catch {
    return false;
  }
}

test("a header pair passes checkHead exactly when new Headers takes it", () => {
  for (const pair of PAIRS) assert.equal(checkAccepts([pair]), headersAccept(pair), JSON.stringify(pair));
  assert.ok(PAIRS.some((pair) => !headersAccept(pair)) && PAIRS.some(headersAccept));
});

test("lists that are not lists of pairs, and statuses out of range, are refused", () => {
  for (const headers of [null, "x", [["a"]], [["a", "b", "c"]], [[1, "b"]], [["a", 2]]]) assert.equal(checkAccepts(headers), false, JSON.stringify(headers));
  for (const status of [199, 600, 200.5, Number.NaN]) {
    assert.throws(() => checkHead({ status, statusText: "", headers: [], body: null }));
  }
});
