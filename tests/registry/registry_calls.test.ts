// Registry calls between isolates of one sandbox: copies cross, handles
// answer promises, a provider that stops or hangs never makes a caller wait
// past its deadline, a restarted provider is reachable through the old
// handle, and A -> B -> A works.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { useRegistrySandbox } from "../helpers/registry_sandbox.ts";

/** A consumer module: `GET /<action>` runs ACTIONS[action](handle, query) and answers what happened. */
export function consumer(pkg: string, resource: string, actions: string): string {
  return `
let ctx;
let handle;
const actions = ${actions};
export default {
  start(c) { ctx = c; },
  async fetch(request) {
    const url = new URL(request.url);
    try {
      handle ??= await ctx.registry.use(${JSON.stringify(pkg)}, ${JSON.stringify(resource)});
      const value = await actions[url.pathname.slice(1)](handle, url.searchParams, ctx);
      return Response.json({ ok: true, value: value === undefined ? null : value });
    } catch (error) {
      return Response.json({ ok: false, name: error?.name, message: error?.message, code: error?.code ?? null, isError: error instanceof Error });
    }
  },
};`;
}

const KV = `
const data = new Map();
export default {
  start(ctx) {
    ctx.registry.provide("kv", {
      get(key) { return data.get(key); },
      set(key, value) { data.set(key, value); return data.size; },
      echo(value) { return value; },
      mutate(object) { object.n = 99; return object.n; },
      async later(value) { await new Promise((resolve) => setTimeout(resolve, 5)); return value; },
      hang() { return new Promise(() => {}); },
      die() { setTimeout(() => { throw new Error("the provider fell over"); }, 10); return "dying"; },
    });
  },
};`;

const APP_ACTIONS = `{
  set: (kv) => kv.set("k", { when: new Date(0), tags: new Set(["a"]) }),
  get: async (kv) => { const v = await kv.get("k"); return [v.when instanceof Date, v.when.getTime(), v.tags instanceof Set, [...v.tags]]; },
  promise: (kv) => { const p = kv.echo(1); return [p instanceof Promise, typeof kv.then]; },
  cyclic: async (kv) => { const o = { name: "loop", list: [1, 2] }; o.self = o; o.list.push(o); const back = await kv.echo(o); return [back !== o, back.self === back, back.list[2] === back, back.name]; },
  copy: async (kv) => { const o = { n: 1 }; const seen = await kv.mutate(o); return [seen, o.n]; },
  later: (kv) => kv.later("x"),
  hang: (kv) => kv.hang(),
  die: (kv) => kv.die(),
  methods: (kv) => Object.keys(kv),
}`;

describe("registry calls", () => {
  test("a package calls another's resource: structured copies cross, every method answers a promise", async (t) => {
    const s = useRegistrySandbox(t);
    await s.load("base", KV);
    const app = await s.load("app", consumer("base", "kv", APP_ACTIONS), { dependencies: ["base"] });
    assert.deepEqual(await s.get(app, "/methods"), { ok: true, value: ["get", "set", "echo", "mutate", "later", "hang", "die"] });
    assert.deepEqual(await s.get(app, "/set"), { ok: true, value: 1 });
    assert.deepEqual(await s.get(app, "/get"), { ok: true, value: [true, 0, true, ["a"]] });
    assert.deepEqual(await s.get(app, "/promise"), { ok: true, value: [true, "undefined"] });
    assert.deepEqual(await s.get(app, "/cyclic"), { ok: true, value: [true, true, true, "loop"] });
    assert.deepEqual(await s.get(app, "/copy"), { ok: true, value: [99, 1] });
    assert.deepEqual(await s.get(app, "/later"), { ok: true, value: "x" });
  });

  test("a call into a provider that never answers rejects with TimedOut at the provider's timeoutMs", async (t) => {
    const s = useRegistrySandbox(t);
    await s.load("base", KV, { timeoutMs: 300 });
    const app = await s.load("app", consumer("base", "kv", APP_ACTIONS), { dependencies: ["base"] });
    const started = performance.now();
    const answer = await s.get(app, "/hang");
    assert.deepEqual(answer, {
      ok: false,
      name: "TimedOut",
      message: `"base/kv".hang() did not answer within 300 ms (the provider's timeoutMs)`,
      code: "timeout",
      isError: true,
    });
    assert.ok(performance.now() - started < 3_000);
    const [info] = await s.sandbox.resources();
    assert.equal(info?.timeouts, 1);
    assert.equal(info?.errors, 1);
  });

  test("calls into a provider that fails reject at once; once it is back, the same handle works again", async (t) => {
    const s = useRegistrySandbox(t);
    const first = await s.load("base", KV);
    const app = await s.load("app", consumer("base", "kv", APP_ACTIONS), { dependencies: ["base"] });
    await s.get(app, "/set");
    const hanging = s.get(app, "/hang");
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    assert.deepEqual(await s.get(app, "/die"), { ok: true, value: "dying" });
    const cut = await hanging;
    assert.equal(cut.code, "provider_stopped");
    assert.equal(cut.name, "Interrupted");
    assert.match(cut.message, /^"base\/kv"\.hang\(\) failed: provider stopped \(it failed: uncaught-error\)$/);
    assert.ok(performance.now() - started < 2_000, "the in-flight call was not cut short promptly");
    const down = await s.get(app, "/later");
    assert.deepEqual(down, {
      ok: false,
      name: "ConnectionRefused",
      message: `cannot use "base/kv": provider "base" is not running`,
      code: "provider_not_running",
      isError: true,
    });
    assert.deepEqual(await s.sandbox.resources(), []);
    await s.sandbox.dispose(first);
    await s.load("base", KV);
    assert.deepEqual(await s.get(app, "/later"), { ok: true, value: "x" });
  });

  test("a provider that is stopped cuts its in-flight calls short with provider stopped", async (t) => {
    const s = useRegistrySandbox(t);
    const base = await s.load("base", KV);
    const app = await s.load("app", consumer("base", "kv", APP_ACTIONS), { dependencies: ["base"] });
    const hanging = s.get(app, "/hang");
    await new Promise((resolve) => setTimeout(resolve, 100));
    await s.sandbox.dispose(base);
    const cut = await hanging;
    assert.equal(cut.code, "provider_stopped");
    assert.equal(cut.message, `"base/kv".hang() failed: provider stopped`);
  });

  test("A calls B, which calls A back: re-entrant calls do not deadlock", async (t) => {
    const s = useRegistrySandbox(t);
    const A = `
let b;
export default {
  start(ctx) {
    ctx.registry.provide("a", { ping: (n) => n + 1, async viaB(n) { b ??= await ctx.registry.use("b", "b"); return b.viaA(n); } });
  },
};`;
    const B = `
let a;
export default {
  start(ctx) {
    ctx.registry.provide("b", { async viaA(n) { a ??= await ctx.registry.use("a", "a"); return (await a.ping(n)) * 10; } });
  },
};`;
    await s.load("a", A, { dependencies: ["b"] });
    await s.load("b", B, { dependencies: ["a"] });
    const app = await s.load("app", consumer("a", "a", `{ reenter: (a) => a.viaB(1) }`), { dependencies: ["a"] });
    assert.deepEqual(await s.get(app, "/reenter"), { ok: true, value: 20 });
  });
});
