// Hostile registry arguments (several 16 MB strings, a million elements, a
// million Map entries) are refused at once by the size bound; `use` of a
// provider that is down gives a handle that works again once it is back.

import assert from "node:assert/strict";
import { test } from "node:test";
import { useRegistrySandbox } from "../helpers/registry_sandbox.ts";

const SINK = `export default { start(ctx) { ctx.registry.provide("sink", { echo: (value) => value === undefined ? null : "ok" }); } };`;

const HUGE = `
let ctx;
const actions = {
  strings: () => { const s = "x".repeat(16 * 1024 * 1024); return [s + "a", s + "b", s + "c"]; },
  array: () => Array.from({ length: 1_000_000 }, (_, i) => i),
  map: () => new Map(Array.from({ length: 1_000_000 }, (_, i) => [i, i])),
  set: () => new Set(Array.from({ length: 1_000_000 }, (_, i) => i)),
  object: () => Object.fromEntries(Array.from({ length: 300_000 }, (_, i) => ["k" + i, i])),
  small: () => "fine",
};
export default {
  start(c) { ctx = c; },
  async fetch(request) {
    const name = new URL(request.url).pathname.slice(1);
    const value = actions[name]();
    const sink = await ctx.registry.use("sink", "sink");
    const started = performance.now();
    try {
      return Response.json({ ok: true, value: await sink.echo(value), ms: performance.now() - started });
    } catch (error) {
      return Response.json({ ok: false, name: error.name, code: error.code ?? null, message: error.message, ms: performance.now() - started });
    }
  },
};`;

test("huge registry arguments are refused by the size bound in milliseconds, and the caller goes on", async (t) => {
  const s = useRegistrySandbox(t);
  await s.load("sink", SINK);
  const caller = await s.load("caller", HUGE, { dependencies: ["sink"], memoryMb: 512, timeoutMs: 20_000 });
  for (const name of ["strings", "array", "map", "set", "object"]) {
    const answer = await s.get(caller, `/${name}`);
    assert.equal(answer.ok, false, name);
    assert.equal(answer.name, "RangeError", `${name}: ${answer.message}`);
    assert.match(answer.message, /larger than \d+ bytes/, name);
    assert.ok(answer.ms < 400, `${name} was refused after ${Math.round(answer.ms)} ms`);
  }
  assert.deepEqual((await s.get(caller, "/small")).value, "ok");
});

const USER = `
let ctx;
export default {
  start(c) { ctx = c; },
  async fetch() {
    let step = "use";
    try {
      const sink = await ctx.registry.use("sink", "sink");
      step = "call";
      return Response.json({ ok: true, value: await sink.echo(1) });
    } catch (error) {
      return Response.json({ ok: false, step, name: error.name, code: error.code ?? null });
    }
  },
};`;

test("use() of a declared provider that is down gives a handle whose calls reject provider_not_running until it is back", async (t) => {
  const s = useRegistrySandbox(t);
  const sink = await s.load("sink", SINK);
  const user = await s.load("user", USER, { dependencies: ["sink"] });
  assert.deepEqual(await s.get(user, "/"), { ok: true, value: "ok" });
  await s.sandbox.dispose(sink);
  assert.deepEqual(await s.get(user, "/"), { ok: false, step: "call", name: "ConnectionRefused", code: "provider_not_running" });
  await s.load("sink", SINK);
  assert.deepEqual(await s.get(user, "/"), { ok: true, value: "ok" });
});
