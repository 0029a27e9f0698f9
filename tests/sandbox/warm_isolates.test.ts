// The pool of isolates made ahead (sandbox/host/warm_isolates.ts): a start takes one and the pool refills,
// other memory limits and dead spares are never handed out, and nothing one package did reaches the next.

import assert from "node:assert/strict";
import { test } from "node:test";
import { isolateSpec } from "../helpers/isolate_spec.ts";
import { LocalSandbox, type SandboxRequest } from "../../sandbox/index.ts";
import type { VmIsolate } from "../../sandbox/host/ivm.ts";
import type { WarmIsolates } from "../../sandbox/host/warm_isolates.ts";

const MEMORY_MB = 32;
const GET: SandboxRequest = { head: { method: "GET", url: "http://x/", headers: [], remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 } }, body: null };

function useSandbox(t: { after: (fn: () => Promise<void>) => void }, size = 1): { sandbox: LocalSandbox; warm: WarmIsolates } {
  const sandbox = new LocalSandbox({ warmIsolates: { memoryMb: MEMORY_MB, size } });
  t.after(() => sandbox.close());
  return { sandbox, warm: sandbox.warm! };
}

/** Records what each take answered. */
function recordTakes(warm: WarmIsolates): (VmIsolate | undefined)[] {
  const taken: (VmIsolate | undefined)[] = [];
  const take = warm.take.bind(warm);
  warm.take = (memoryMb) => {
    const isolate = take(memoryMb);
    taken.push(isolate);
    return isolate;
  };
  return taken;
}

async function answerOf(sandbox: LocalSandbox, instanceId: string): Promise<unknown> {
  const answer = await sandbox.request(instanceId, GET);
  assert.ok(answer.body === null || answer.body instanceof Uint8Array);
  return JSON.parse(new TextDecoder().decode(answer.body ?? new Uint8Array()));
}

test("a start with the pool's memory limit takes a prepared isolate, runs in it, and the pool refills", async (t) => {
  const { sandbox, warm } = useSandbox(t);
  await warm.refill();
  assert.equal(warm.ready, 1);
  const spare = warm.spares[0]!;
  const taken = recordTakes(warm);
  await sandbox.load(isolateSpec("warm", `export default { fetch: () => Response.json({ ok: typeof Deno.serve }) }`, { memoryMb: MEMORY_MB }));
  assert.equal(taken[0], spare);
  // Booted by the package: no longer a spare, and alive.
  assert.equal(spare.isPrepared, false);
  assert.equal(spare.isDisposed, false);
  assert.deepEqual(await answerOf(sandbox, "warm#1"), { ok: "function" });
  await warm.refill();
  assert.equal(warm.ready, 1);
  assert.notEqual(warm.spares[0], spare);
  await sandbox.dispose("warm#1");
  assert.equal(spare.isDisposed, true);
});

test("after a take the pool refills by itself, without anyone asking", async (t) => {
  const { sandbox, warm } = useSandbox(t);
  await warm.refill();
  const spare = warm.spares[0]!;
  await sandbox.load(isolateSpec("self", `export default { fetch: () => new Response("x") }`, { memoryMb: MEMORY_MB }));
  assert.equal(spare.isPrepared, false, "the start took the spare");
  const deadline = Date.now() + 5_000;
  while (warm.ready === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(warm.ready, 1);
  assert.notEqual(warm.spares[0], spare);
});

test("a start with another memory limit never gets a pooled isolate and leaves the pool as it was", async (t) => {
  const { sandbox, warm } = useSandbox(t);
  await warm.refill();
  const spare = warm.spares[0]!;
  const taken = recordTakes(warm);
  await sandbox.load(isolateSpec("other", `export default { fetch: () => Response.json({ ok: true }) }`, { memoryMb: MEMORY_MB * 2 }));
  assert.deepEqual(taken, [undefined]);
  assert.deepEqual(warm.spares, [spare]);
  assert.equal(spare.isPrepared, true);
  assert.deepEqual(await answerOf(sandbox, "other#1"), { ok: true });
});

test("what one package did to its globals and intrinsics is never seen by the next package, started from the pool", async (t) => {
  const { sandbox, warm } = useSandbox(t);
  const taken = recordTakes(warm);
  const tamper = `Array.prototype.push = () => "tampered";
Object.prototype.polluted = "yes";
JSON.stringify = () => "tampered";
globalThis.marker = 1;
Response.json = () => new Response("tampered");
export default { fetch: () => new Response("x") };`;
  await warm.refill();
  await sandbox.load(isolateSpec("first", tamper, { instanceId: "first#1", memoryMb: MEMORY_MB }));
  await warm.refill();
  const probe = `const list = []; list.push(1);
export default { fetch: () => Response.json({ list, polluted: ({}).polluted ?? null, marker: "marker" in globalThis, json: JSON.stringify({ a: 1 }) }) };`;
  await sandbox.load(isolateSpec("second", probe, { instanceId: "second#1", memoryMb: MEMORY_MB }));
  assert.equal(taken.length, 2);
  assert.ok(taken.every((isolate) => isolate !== undefined), "both starts took a pooled isolate");
  assert.notEqual(taken[0], taken[1]);
  assert.deepEqual(await answerOf(sandbox, "second#1"), { list: [1], polluted: null, marker: false, json: '{"a":1}' });
});

test("a pooled isolate that died is never handed out: the start makes its own and the pool refills with a live one", async (t) => {
  const { sandbox, warm } = useSandbox(t);
  await warm.refill();
  const dead = warm.spares[0]!;
  dead.dispose();
  const taken = recordTakes(warm);
  await sandbox.load(isolateSpec("after", `export default { fetch: () => Response.json({ ok: true }) }`, { memoryMb: MEMORY_MB }));
  assert.deepEqual(taken, [undefined]);
  assert.deepEqual(await answerOf(sandbox, "after#1"), { ok: true });
  await warm.refill();
  assert.equal(warm.ready, 1);
  assert.notEqual(warm.spares[0], dead);
  assert.equal(warm.spares[0]!.isDisposed, false);
});

test("closing the sandbox disposes every spare isolate, one being made included, and the pool hands out nothing after", async (t) => {
  const { sandbox, warm } = useSandbox(t, 2);
  await warm.refill();
  const spares = warm.spares;
  assert.equal(spares.length, 2);
  // Take one so that a refill is under way (its isolate being made) while the sandbox closes.
  const taken = warm.take(MEMORY_MB)!;
  taken.dispose();
  await new Promise((resolve) => setImmediate(resolve));
  await sandbox.close();
  assert.ok(spares.every((spare) => spare.isDisposed));
  assert.equal(warm.ready, 0);
  assert.equal(warm.take(MEMORY_MB), undefined);
  await warm.refill();
  assert.equal(warm.ready, 0);
});

test("a pool keeps one or two spares, and refuses a memory limit that is not a positive integer", () => {
  assert.throws(() => new LocalSandbox({ warmIsolates: { memoryMb: 0 } }), /positive memory limit/);
  assert.throws(() => new LocalSandbox({ warmIsolates: { memoryMb: Number.NaN } }), /positive memory limit/);
});
