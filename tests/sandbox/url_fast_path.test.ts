// The plain-URL path of the isolate's URL parser against whatwg-url's full
// parser: wherever it answers, it answers the same record; elsewhere it declines.

import assert from "node:assert/strict";
import { test } from "node:test";
import { createRequire } from "node:module";
import { parsePlainURL } from "../../sandbox/isolate/web/url_fast_path.ts";

const usm = createRequire(import.meta.url)("whatwg-url/lib/url-state-machine.js") as { basicURLParse(input: string): unknown };

const TAKEN = [
  "http://127.0.0.1/",
  "http://127.0.0.1:8080/?name=bench",
  "https://example.com/a/b/c?x=1&y=2/3?z",
  "http://a-b.c-d.example/path/with/trailing/",
  "http://localhost:65535/;x=1,2@3:4!$&()*+~_.-",
  "http://255.255.255.255/",
  "http://0.0.0.0/x",
  "https://ex.com/it's/ok",
  "http://x.y/a..b/.c/d.",
  "http://example.com:81/",
];

const DECLINED = [
  "http://Example.com/", // upper case host: lowered
  "HTTP://example.com/",
  "http://example.com", // no path: "/" added
  "http://example.com:80/", // default port dropped
  "https://example.com:443/",
  "http://example.com:080/",
  "http://example.com:65536/",
  "http://1.2.3/", // IPv4 shorthand
  "http://01.2.3.4/",
  "http://256.1.1.1/",
  "http://1.2.3.04/",
  "http://1.2.3.256/",
  "http://1.2.3.4.5/",
  "http://0x7f.0.0.1/",
  "http://a.b.123/",
  "http://a.b.0x1f/",
  "http://xn--nxasmq6b.com/",
  "http://a..b/",
  "http://a./",
  "http://.a/",
  "http://example.com/a/../b",
  "http://example.com/./b",
  "http://example.com/a/..",
  "http://example.com/a/.",
  "http://example.com/%2e%2e/",
  "http://example.com/a b",
  "http://example.com/a\\b",
  "http://example.com/a#frag",
  "http://user:pass@example.com/",
  "http://example.com/?q='x'",
  "http://example.com/a|b^c",
  "http://example.com/é",
  "ftp://example.com/",
  "file:///etc/passwd",
  " http://example.com/",
  "http://example.com/\n",
];

test("plain URLs get the record whatwg-url's parser makes", () => {
  for (const input of TAKEN) {
    const record = parsePlainURL(input);
    assert.notEqual(record, null, input);
    assert.deepEqual(record, usm.basicURLParse(input), input);
  }
});

test("anything the standard would rewrite or might refuse goes to the full parser", () => {
  for (const input of DECLINED) assert.equal(parsePlainURL(input), null, input);
});

test("the declined inputs really differ from their plain reading, or fail (the list above is not vacuous)", () => {
  const rewritten = DECLINED.filter((input) => {
    const record = usm.basicURLParse(input) as { scheme: string; host: unknown; path: string[] } | null;
    return record === null || !/^https?$/.test(record.scheme) || typeof record.host !== "string" || record.path.join("/") !== input.replace(/^[^/]*\/\/[^/]*\/?/, "").replace(/[?#].*$/s, "");
  });
  assert.ok(rewritten.length >= DECLINED.length / 2, `${rewritten.length} of ${DECLINED.length}`);
});

test("random URLs: whenever the plain path answers, it agrees with the full parser", () => {
  const pick = (chars: string, max: number) => Array.from({ length: Math.floor(Math.random() * max) }, () => chars[Math.floor(Math.random() * chars.length)]).join("");
  let taken = 0;
  for (let i = 0; i < 5000; i++) {
    const input = `${pick("h", 2) ? "https" : "http"}://${pick("a0x9.-1", 12)}${pick(":", 2)}${pick("0186", 6)}/${pick("a./%'?=&@:Ab9-", 16)}`;
    const record = parsePlainURL(input);
    if (record === null) continue;
    taken++;
    assert.deepEqual(record, usm.basicURLParse(input), input);
  }
  assert.ok(taken > 100, `only ${taken} of 5000 taken`);
});
