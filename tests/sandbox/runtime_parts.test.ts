// URLPattern and the forms code are parts of the runtime the host runs on
// first use, after package code: they see the runtime's globals, never the package's.

import assert from "node:assert/strict";
import { test } from "node:test";
import { useRegistrySandbox } from "../helpers/registry_sandbox.ts";

/**
 * Replaces globals the parts read when they are evaluated (formdata-polyfill
 * takes Symbol's members, the multipart parser a TextDecoder) or call (URLPattern
 * parses with URL), then uses them for the first time. The runtime's own code
 * reads globals when it runs, so Symbol and URL are put back for the round trip.
 */
const REPLACER = `
const realSymbol = Symbol;
const realURL = URL;
globalThis.Symbol = { toStringTag: "fake", iterator: "fake", hasInstance: "fake" };
globalThis.URL = class { constructor() { throw new Error("the package's URL"); } };
globalThis.TextDecoder = class { decode() { return "the package's decoder"; } };
const form = new FormData();
form.append("a", "1");
const tag = Object.prototype.toString.call(form);
const entries = [...form].map(([name, value]) => name + "=" + value);
const id = new URLPattern({ pathname: "/books/:id" }).exec("http://x.example/books/7")?.pathname.groups.id ?? null;
globalThis.Symbol = realSymbol;
globalThis.URL = realURL;
const response = new Response(form);
const parsed = await new Response(await response.text(), { headers: { "content-type": response.headers.get("content-type") } }).formData();
export default { fetch: () => Response.json({ tag, entries, id, parsed: parsed.get("a") }) };
`;

test("URLPattern and FormData first used after the package replaced Symbol, URL and TextDecoder use the runtime's", async (t) => {
  const box = useRegistrySandbox(t);
  const id = await box.load("@t/replacer", REPLACER);
  assert.deepEqual(await box.get(id, "/"), { tag: "[object FormData]", entries: ["a=1"], id: "7", parsed: "1" });
});

test("each part runs only in the isolates that use it", async (t) => {
  const box = useRegistrySandbox(t);
  const plain = await box.load("@t/plain", `export default { fetch: () => Response.json({ ok: 1 }) };`);
  const forms = await box.load("@t/forms", `const f = new FormData(); f.append("a", "1");\nexport default { fetch: () => Response.json({ a: f.get("a") }) };`);
  assert.deepEqual(await box.get(plain, "/"), { ok: 1 });
  assert.deepEqual(await box.get(forms, "/"), { a: "1" });
  const external = new Map((await box.sandbox.stats()).map((stats) => [stats.packageName, stats.externalBytes]));
  // The forms part's source (~15 KB) is held by the isolate that ran it, and only there.
  assert.ok(external.get("@t/forms")! >= external.get("@t/plain")! + 10_000, `external bytes: ${JSON.stringify([...external])}`);
});
