// How an isolate starts (sandbox/host/ivm.ts boot, isolate/core/bootstrap.ts):
// no trace of the bootstrap's hand-over is left for package code, and nothing one package does reaches the next.

import assert from "node:assert/strict";
import { test } from "node:test";
import { isolateSpec } from "../helpers/isolate_spec.ts";
import { LocalSandbox, type IsolateSpec, type SandboxRequest } from "../../sandbox/index.ts";

function spec(instanceId: string, code: string): IsolateSpec {
  return isolateSpec("start", code, { instanceId, timeoutMs: 2_000, cpuMs: 2_000 });
}

const GET: SandboxRequest = { head: { method: "GET", url: "http://x/", headers: [], remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 } }, body: null };

async function answerOf(sandbox: LocalSandbox, instanceId: string): Promise<unknown> {
  const answer = await sandbox.request(instanceId, GET);
  assert.ok(answer.body === null || answer.body instanceof Uint8Array);
  return JSON.parse(new TextDecoder().decode(answer.body ?? new Uint8Array()));
}

function useSandbox(t: { after: (fn: () => Promise<void>) => void }): LocalSandbox {
  const sandbox = new LocalSandbox();
  t.after(() => sandbox.close());
  return sandbox;
}

test("package code finds no global the bootstrap used to hand the bridge and the dispatcher over", async (t) => {
  const sandbox = useSandbox(t);
  const code = `const names = ["__isopodBoot", "__isopodBridge", "__isopodDispatch", "__isopodEvaluated"];
const atTop = names.filter((name) => name in globalThis);
const own = Object.getOwnPropertyNames(globalThis).filter((name) => name.startsWith("__isopod")).sort();
export default { fetch: () => Response.json({ atTop, own, later: names.filter((name) => name in globalThis) }) };`;
  await sandbox.load(spec("start#1", code));
  // __isopodEvaluated is the module's end signal, gone once the body has run; __isopodImportMeta is what bundles call for import.meta.
  assert.deepEqual(await answerOf(sandbox, "start#1"), { atTop: ["__isopodEvaluated"], own: ["__isopodEvaluated", "__isopodImportMeta"], later: [] });
});

test("a package that plants __isopodBoot gets nothing: boot ran before its code and is never called again", async (t) => {
  const sandbox = useSandbox(t);
  const code = `let calls = 0;
globalThis.__isopodBoot = () => { calls++; };
export default { start() {}, fetch: () => Response.json({ calls }) };`;
  await sandbox.load(spec("start#1", code));
  await sandbox.hook("start#1", "start");
  // A second isolate starting after the planted global: its boot is its own.
  await sandbox.load(spec("start#2", `export default { fetch: () => Response.json({ ok: typeof fetch === "function" && "__isopodBoot" in globalThis === false }) };`));
  assert.deepEqual(await answerOf(sandbox, "start#1"), { calls: 0 });
  assert.deepEqual(await answerOf(sandbox, "start#2"), { ok: true });
});

test("what the first package does to the runtime does not reach packages started after it from the code cache", async (t) => {
  const sandbox = useSandbox(t);
  const tamper = `Response.json = () => new Response("tampered");
Headers.prototype.get = () => "tampered";
DOMException.ABORT_ERR;
Object.defineProperty(globalThis, "marker", { value: 1 });
export default { fetch: () => Response.json({}) };`;
  await sandbox.load(spec("start#1", tamper));
  const probe = `export default { fetch: () => Response.json({ get: new Headers({ a: "b" }).get("a"), marker: "marker" in globalThis, abort: DOMException.ABORT_ERR, url: DOMException.URL_MISMATCH_ERR }) };`;
  for (const id of ["start#2", "start#3"]) {
    await sandbox.load(spec(id, probe));
    assert.deepEqual(await answerOf(sandbox, id), { get: "b", marker: false, abort: 20, url: 21 });
  }
});

test("the runtime's bodies are made of its own streams: stream globals a package replaced first change nothing inside", async (t) => {
  const sandbox = useSandbox(t);
  const code = `class Fake { getReader() { throw new Error("fake reader"); } }
globalThis.ReadableStream = Fake;
globalThis.TransformStream = Fake;
export default {
  async fetch() {
    const body = new Response("abc").body;
    const { value } = await body.getReader().read();
    const piped = await new Response(new Response("def").body).text();
    return Response.json({
      first: new TextDecoder().decode(value),
      genuine: !(body instanceof Fake) && Object.prototype.toString.call(body),
      piped,
      fakeIsNoStream: await new Response(new Fake()).text(),
      globalKept: globalThis.ReadableStream === Fake,
    });
  },
};`;
  await sandbox.load(spec("start#1", code));
  assert.deepEqual(await answerOf(sandbox, "start#1"), {
    first: "abc",
    genuine: "[object ReadableStream]",
    piped: "def",
    fakeIsNoStream: "[object Object]",
    globalKept: true,
  });
});

test("the stream globals are the classes the runtime's bodies are made of", async (t) => {
  const sandbox = useSandbox(t);
  const code = `const Stream = ReadableStream;
export default { fetch: () => Response.json({ same: new Response("x").body instanceof Stream, names: typeof WritableStream + typeof TransformStream + typeof CountQueuingStrategy }) };`;
  await sandbox.load(spec("start#1", code));
  assert.deepEqual(await answerOf(sandbox, "start#1"), { same: true, names: "functionfunctionfunction" });
});
