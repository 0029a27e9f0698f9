// whatwg-url is a part of the runtime the host runs in an isolate on its first
// URL the fast path does not take: it works wherever package code runs.

import assert from "node:assert/strict";
import { test } from "node:test";
import { useRegistrySandbox } from "../helpers/registry_sandbox.ts";

const PARSES = `
const parse = () => ({
  idna: new URL("http://Bücher.example/a").host,
  relative: new URL("../b?x=1#h", "http://example.com/a/c").href,
  query: new URLSearchParams("a=1&b=2").get("b"),
});
const atLoad = parse();
export default { fetch: (request) => Response.json({ atLoad, inFetch: parse(), path: new URL(request.url).searchParams.get("p") }) };
`;

test("URLs the fast path does not take parse at module load and in fetch", async (t) => {
  const box = useRegistrySandbox(t);
  const id = await box.load("@t/urls", PARSES);
  const body = await box.get(id, "/?p=q");
  const expected = { idna: "xn--bcher-kva.example", relative: "http://example.com/b?x=1#h", query: "2" };
  assert.deepEqual(body, { atLoad: expected, inFetch: expected, path: "q" });
});

test("each isolate runs the URL part for itself, and one that never parses such a URL runs none", async (t) => {
  const box = useRegistrySandbox(t);
  const plain = await box.load("@t/plain", `export default { fetch: () => Response.json({ ok: typeof URL }) };`);
  const first = await box.load("@t/first", PARSES);
  const second = await box.load("@t/second", PARSES);
  assert.deepEqual(await box.get(plain, "/"), { ok: "function" });
  assert.equal((await box.get(first, "/")).inFetch.idna, "xn--bcher-kva.example");
  assert.equal((await box.get(second, "/")).inFetch.idna, "xn--bcher-kva.example");
  const heaps = new Map((await box.sandbox.stats()).map((stats) => [stats.packageName, stats.externalBytes]));
  assert.ok(heaps.get("@t/plain")! < heaps.get("@t/first")!, `external bytes: ${JSON.stringify([...heaps])}`);
});

test("a package cannot reach the part loader, and squatting its global name fools only itself", async (t) => {
  const box = useRegistrySandbox(t);
  const squat = `
Object.defineProperty(globalThis, "__isopodPartIn", { get: () => undefined, set() {}, configurable: false });
let error = "none";
try { new URL("http://Bücher.example/"); } catch (e) { error = e.constructor.name + ": " + e.message; }
export default { fetch: () => Response.json({ bridge: typeof __isopodBridge, error }) };
`;
  const id = await box.load("@t/squat", squat);
  assert.deepEqual(await box.get(id, "/"), { bridge: "undefined", error: "TypeError: the runtime's url part could not be loaded: the package took the global __isopodPartIn" });
  const other = await box.load("@t/other", PARSES);
  assert.equal((await box.get(other, "/")).inFetch.idna, "xn--bcher-kva.example");
});
