// The runtime's pieces evaluated on first use (isolate/web/lazy.ts, core/pristine.ts): a package that replaced
// the globals and intrinsics they read, before that first use, changes nothing of the runtime's own behaviour.

import assert from "node:assert/strict";
import { test } from "node:test";
import { isolateSpec } from "../helpers/isolate_spec.ts";
import { LocalSandbox, type SandboxRequest, type SandboxResponse } from "../../sandbox/index.ts";

const GET: SandboxRequest = { head: { method: "GET", url: "http://x/", headers: [], remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 } }, body: null };

/**
 * Replaces, at the module's top level (no stream exists yet), every global and
 * intrinsic member web-streams-polyfill reads with one that throws; `mend()`
 * puts the intrinsics' members back (as a package could), the globals stay replaced.
 * (The global \`Promise\` stays: the runtime's eager code reads it when called, as it always did.)
 */
const TAMPER = `const saved = { then: Promise.prototype.then, resolve: Promise.resolve, reject: Promise.reject, trunc: Math.trunc, isFinite: Number.isFinite, isNaN: Number.isNaN };
const bad = (name) => function () { throw new Error("tampered " + name); };
Promise.prototype.then = bad("then"); Promise.resolve = bad("resolve"); Promise.reject = bad("reject");
Math.trunc = bad("trunc"); Number.isFinite = bad("isFinite"); Number.isNaN = bad("isNaN");
for (const name of ["queueMicrotask", "structuredClone", "AbortController", "DOMException", "btoa", "ReadableStream", "TransformStream", "WritableStream"]) {
  globalThis[name] = bad(name);
}
function mend() {
  Object.assign(Promise.prototype, { then: saved.then });
  Object.assign(Promise, { resolve: saved.resolve, reject: saved.reject });
  Object.assign(Math, { trunc: saved.trunc });
  Object.assign(Number, { isFinite: saved.isFinite, isNaN: saved.isNaN });
}
async function exercise() {
  // First use of the streams: made while every member above is the package's.
  const made = new Response("abc").body;
  mend();
  const { value } = await made.getReader().read();
  const piped = await new Response(new Response("def").body).text();
  const sent = await new Request("http://x/", { method: "POST", body: new Response("sent").body, duplex: "half" }).text();
  const fetched = await (await fetch("data:text/plain,ghi")).text();
  const streamed = await new Response(new Response("jkl").body).text();
  return { first: String.fromCharCode(...value), piped, sent, fetched, streamed };
}`;

/** The answer to a GET of a package made of `code`, loaded in a sandbox of its own. */
async function answerOf(t: { after: (fn: () => Promise<void>) => void }, code: string): Promise<SandboxResponse> {
  const sandbox = new LocalSandbox();
  t.after(() => sandbox.close());
  await sandbox.load(isolateSpec("pristine", code, { instanceId: "pristine#1", timeoutMs: 2_000, cpuMs: 2_000 }));
  return sandbox.request("pristine#1", GET);
}

async function jsonOf(body: Uint8Array | ReadableStream<Uint8Array> | null | undefined): Promise<unknown> {
  return JSON.parse(await new Response(body ?? null).text());
}

const EXPECTED = { first: "abc", piped: "def", sent: "sent", fetched: "ghi", streamed: "jkl" };

test("a package that replaced the globals and intrinsics the streams read, before their first use, gets the runtime's bodies, fetch and streamed answers", async (t) => {
  const code = `${TAMPER}
export default { async fetch(request) {
  return Response.json(await exercise());
} };`;
  const answer = await answerOf(t, code);
  assert.equal(answer.status, 200);
  assert.deepEqual(await jsonOf(answer.body as Uint8Array), EXPECTED);
});

test("Deno.serve's answers are the same from a package that replaced them first", async (t) => {
  // Served before the tampering: Deno.serve itself makes a promise of the global Promise when called.
  const code = `Deno.serve(async () => Response.json(await exercise()));
${TAMPER}`;
  const answer = await answerOf(t, code);
  assert.equal(answer.status, 200);
  assert.deepEqual(await jsonOf(answer.body as Uint8Array), EXPECTED);
});

test("a package that replaced Promise.prototype.then and froze it gets an error naming it at the streams' first use, not its then inside them", async (t) => {
  const code = `Promise.prototype.then = function () { throw new Error("tampered then"); };
Object.freeze(Promise.prototype);
export default { fetch() {
  try { new Response("abc").body; return new Response("no error"); } catch (error) { return new Response(String(error)); }
} };`;
  const answer = await answerOf(t, code);
  assert.match(new TextDecoder().decode(answer.body as Uint8Array), /TypeError: Promise\.prototype\.then was replaced and made unchangeable/);
});

test("a package that replaced TextDecoder, TextEncoder and atob before the URL part's first use still parses URLs", async (t) => {
  const code = `for (const name of ["TextDecoder", "TextEncoder", "atob"]) globalThis[name] = function () { throw new Error("tampered " + name); };
globalThis.Buffer = { from() { throw new Error("tampered Buffer"); } };
export default { fetch: async () => {
  const url = new URL("http://x/%7Ea?q=%C3%A9");
  const text = await new Request("http://x/", { method: "POST", body: "sent" }).text();
  return Response.json([text, url.pathname, url.searchParams.get("q"), typeof globalThis.Buffer.from, String(globalThis.TextDecoder).includes("tampered")]);
} };`;
  const answer = await answerOf(t, code);
  // The URL is parsed by the runtime's own decoders; the package keeps its replacements.
  assert.deepEqual(await jsonOf(answer.body as Uint8Array), ["sent", "/%7Ea", "é", "function", true]);
});
