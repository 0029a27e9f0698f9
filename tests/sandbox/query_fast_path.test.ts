// The plain-query path of the isolate's URLSearchParams parser against whatwg-url's
// full parser: wherever it answers, it answers the same pairs; elsewhere it declines.

import assert from "node:assert/strict";
import { test } from "node:test";
import { createRequire } from "node:module";
import { parsePlainQuery } from "../../sandbox/isolate/web/query_fast_path.ts";

const urlencoded = createRequire(import.meta.url)("whatwg-url/lib/urlencoded.js") as { parseUrlencodedString(input: string): [string, string][] };

const TAKEN = ["", "name=bench", "a=1&b=2", "a&b=", "=x", "a==b", "&&a=1&&", "a=1&a=2", "é=ü&ключ=значение", "?a=b", "a=b;c=d"];
const DECLINED = ["x=😀", "a=%20", "a+b=c", "a=b+c", "%zz", "a=\ud800", "\udc00=b", "a=%E9"];

test("plain queries get the pairs whatwg-url's parser makes", () => {
  for (const input of TAKEN) assert.deepEqual(parsePlainQuery(input), urlencoded.parseUrlencodedString(input), input);
});

test("queries with something to decode go to the full parser", () => {
  for (const input of DECLINED) assert.equal(parsePlainQuery(input), null, input);
});

test("random queries: whenever the plain path answers, it agrees with the full parser", () => {
  const chars = "ab=&é=&%+ \ud83d\ude00\ud800x";
  let taken = 0;
  for (let i = 0; i < 5000; i++) {
    const input = Array.from({ length: Math.floor(Math.random() * 12) }, () => chars[Math.floor(Math.random() * chars.length)]).join("");
    const pairs = parsePlainQuery(input);
    if (pairs === null) continue;
    taken++;
    assert.deepEqual(pairs, urlencoded.parseUrlencodedString(input), JSON.stringify(input));
  }
  assert.ok(taken > 100, `only ${taken} of 5000 taken`);
});
