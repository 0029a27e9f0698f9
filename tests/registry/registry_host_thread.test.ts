// Registry calls served on the host's thread (sandbox/host/registry_delivery.ts):
// they answer as on the provider's own thread, a provider that loops there is cut at its wall time
// and moves to its own thread, a busy provider is served on its own thread, and nesting and cycles answer.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { longestStall } from "../helpers/longest_stall.ts";
import { useRegistrySandbox } from "../helpers/registry_sandbox.ts";

/** A provider of "p": a wall time of at most 2 s lets its calls be served on the host's thread. */
const PROVIDER = `
let ctx;
export default {
  start(c) {
    ctx = c;
    ctx.registry.provide("p", {
      echo: (value) => value,
      async asyncEcho(value) { return value; },
      async later(value) { await new Promise((resolve) => setTimeout(resolve, 5)); return value; },
      fails() { throw new RangeError("no such thing"); },
      func() { return () => 1; },
      spin(ms) { const end = Date.now() + ms; while (Date.now() < end); return ms; },
      loop() { for (;;); },
      async back() { return (await ctx.registry.use("a", "a")).ping(); },
    });
  },
  async fetch(request) {
    await new Promise((resolve) => setTimeout(resolve, Number(new URL(request.url).searchParams.get("ms"))));
    return Response.json({ ok: true });
  },
};`;

/** The caller "a": `GET /<method>?arg=<json>` calls p's method and answers what happened; it provides "a" for cycles. */
const CALLER = `
let ctx;
export default {
  start(c) { ctx = c; ctx.registry.provide("a", { ping: () => "pong from a" }); },
  async fetch(request) {
    const url = new URL(request.url);
    try {
      const p = await ctx.registry.use("p", "p");
      const arg = url.searchParams.has("arg") ? JSON.parse(url.searchParams.get("arg")) : undefined;
      return Response.json({ ok: true, value: (await p[url.pathname.slice(1)](arg)) ?? null });
    } catch (error) {
      return Response.json({ ok: false, name: error?.name, message: error?.message, code: error?.code ?? null });
    }
  },
};`;

/** `work`'s value, and the longest the event loop stalled while it ran. */
async function stalled<T>(work: () => Promise<T>): Promise<{ stall: number; value: T }> {
  let value: T | undefined;
  const stall = await longestStall(async () => (value = await work()));
  return { stall, value: value as T };
}

describe("registry calls on the host's thread", () => {
  test("calls to an idle provider answer as on its own thread: values, async methods, waits, errors, values that cannot cross", async (t) => {
    const s = useRegistrySandbox(t);
    await s.load("p", PROVIDER, { timeoutMs: 1_000, dependencies: ["a"] });
    // One caller on the host's thread too (short wall time), one on its own thread.
    for (const [name, timeoutMs] of [["a", 1_000], ["a", 10_000]] as const) {
      const a = await s.load(name, CALLER, { timeoutMs, dependencies: ["p"] });
      const value = { n: 1, list: [1, "two"], nested: { deep: true } };
      for (let round = 0; round < 3; round++) {
        assert.deepEqual(await s.get(a, `/echo?arg=${encodeURIComponent(JSON.stringify(value))}`), { ok: true, value });
        assert.deepEqual(await s.get(a, "/asyncEcho?arg=7"), { ok: true, value: 7 });
        assert.deepEqual(await s.get(a, "/later?arg=8"), { ok: true, value: 8 });
        assert.deepEqual(await s.get(a, "/fails"), { ok: false, name: "RangeError", message: "no such thing", code: null });
        const func = await s.get(a, "/func");
        assert.equal(func.name, "DataCloneError");
        assert.match(func.message, /the result of "p\/p"\.func\(\) cannot be cloned/);
        assert.deepEqual(await s.get(a, "/back"), { ok: true, value: "pong from a" });
      }
      await s.sandbox.dispose(a);
    }
    const [figures] = (await s.sandbox.resources()).filter((r) => r.resource === "p/p");
    assert.equal(figures?.calls, 36);
    assert.equal(figures?.errors, 12);
    assert.notEqual(figures?.p50Ms, null);
  });

  test("a call to an idle provider runs on the host's thread, one to a busy provider on its own thread", async (t) => {
    const s = useRegistrySandbox(t);
    const p = await s.load("p", PROVIDER, { timeoutMs: 1_000 });
    const a = await s.load("a", CALLER, { timeoutMs: 10_000, dependencies: ["p"] });
    const idle = await stalled(() => s.get(a, "/spin?arg=150"));
    assert.deepEqual(idle.value, { ok: true, value: 150 });
    assert.ok(idle.stall >= 120, `an idle provider spun on the host's thread: the loop stalled ${idle.stall.toFixed(0)} ms`);
    // p waits in a request of its own: a call into it now goes to its thread and still answers.
    const request = s.get(p, "/?ms=400");
    await new Promise((resolve) => setTimeout(resolve, 50));
    const busy = await stalled(() => s.get(a, "/spin?arg=150"));
    assert.deepEqual(busy.value, { ok: true, value: 150 });
    assert.ok(busy.stall < 100, `a busy provider spun on its own thread: the loop stalled ${busy.stall.toFixed(0)} ms`);
    assert.deepEqual(await request, { ok: true });
  });

  test("a provider that loops in a call on the host's thread is cut at its wall time, and later calls go to its own thread", async (t) => {
    const s = useRegistrySandbox(t);
    await s.load("p", PROVIDER, { timeoutMs: 300 });
    const a = await s.load("a", CALLER, { timeoutMs: 10_000, dependencies: ["p"] });
    const timedOut = { ok: false, name: "TimedOut", message: `"p/p".loop() did not answer within 300 ms (the provider's timeoutMs)`, code: "timeout" };
    const first = await stalled(() => s.get(a, "/loop"));
    assert.deepEqual(first.value, timedOut);
    assert.ok(first.stall >= 250 && first.stall < 1_500, `the first loop ran on the host's thread, cut at 300 ms: the loop stalled ${first.stall.toFixed(0)} ms`);
    const second = await stalled(() => s.get(a, "/loop"));
    assert.deepEqual(second.value, timedOut);
    assert.ok(second.stall < 150, `the second loop ran on the provider's thread: the loop stalled ${second.stall.toFixed(0)} ms`);
    assert.deepEqual(await s.get(a, "/echo?arg=1"), { ok: true, value: 1 });
    const [figures] = (await s.sandbox.resources()).filter((r) => r.resource === "p/p");
    assert.equal(figures?.timeouts, 2);
  });

  test("calls nested through more idle providers than the host's thread takes still answer", async (t) => {
    const s = useRegistrySandbox(t);
    // link<i> calls link<i+1>: twelve nested calls, past the bound of calls served inside one another there.
    const LINKS = 12;
    for (let i = LINKS; i >= 0; i--) {
      const next = i === LINKS ? "" : `link${i + 1}`;
      const body = next === "" ? "return [0];" : `const rest = await (await ctx.registry.use("${next}", "link")).down(); return [rest.length, ...rest];`;
      await s.load(
        `link${i}`,
        `let ctx; export default { start(c) { ctx = c; ctx.registry.provide("link", { async down() { ${body} } }); } };`,
        { timeoutMs: 1_000, dependencies: next === "" ? [] : [next] },
      );
    }
    const a = await s.load(
      "top",
      `let ctx; export default { start(c) { ctx = c; }, async fetch() { return Response.json(await (await ctx.registry.use("link0", "link")).down()); } };`,
      { timeoutMs: 1_000, dependencies: ["link0"] },
    );
    assert.deepEqual(await s.get(a, "/"), Array.from({ length: LINKS + 1 }, (_, i) => LINKS - i));
  });
});
