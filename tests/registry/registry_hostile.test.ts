// Packages that abuse the registry: calling what they did not declare,
// sending or returning values that must not cross (proxies, getters,
// thenables, functions, shared memory, 100 MB, deep nesting), providers that
// hang or throw odd things, mutual recursion, 100,000 provides. Each fails
// for the offender alone: a canary pair keeps calling each other throughout.

import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { describe, test } from "node:test";
import { SandboxFailure } from "../../sandbox/index.ts";
import { useRegistrySandbox, type RegistrySandbox } from "../helpers/registry_sandbox.ts";
import { waitFor } from "../helpers/wait_for.ts";

const canary = (other: string) => `
let ctx;
const stats = { ok: 0, errors: 0, lastError: null };
export default {
  start(c) {
    ctx = c;
    ctx.registry.provide("ping", { ping: (n) => n + 1 });
  },
  async fetch(request) {
    if (new URL(request.url).pathname === "/go") {
      const peer = await ctx.registry.use(${JSON.stringify(other)}, "ping");
      setInterval(async () => {
        try {
          const answer = await peer.ping(1);
          if (answer === 2) stats.ok++;
          else { stats.errors++; stats.lastError = "wrong answer " + answer; }
        } catch (error) {
          stats.errors++;
          stats.lastError = error.name + ": " + error.message;
        }
      }, 5);
    }
    return Response.json(stats);
  },
};`;

/** A package that runs `ACTIONS[path]` with ctx and answers what happened, errors as { name, message, code }. */
const actor = (actions: string, start = "") => `
let ctx;
const actions = ${actions};
export default {
  async start(c) { ctx = c; ${start} },
  async fetch(request) {
    const url = new URL(request.url);
    try {
      const value = await actions[url.pathname.slice(1)](ctx);
      return Response.json({ ok: true, value: value === undefined ? null : value });
    } catch (error) {
      let name, message, code;
      try { ({ name, message, code } = error); } catch { name = "unreadable"; }
      return Response.json({ ok: false, name, message, code: code ?? null, isError: error instanceof Error });
    }
  },
};`;

/** Loads the canary pair and sets them calling each other; `check` asserts they went on without an error. */
async function useCanaries(s: RegistrySandbox) {
  const a = await s.load("canary-a", canary("canary-b"), { dependencies: ["canary-b"], timeoutMs: 10_000 });
  const b = await s.load("canary-b", canary("canary-a"), { dependencies: ["canary-a"], timeoutMs: 10_000 });
  await s.get(a, "/go");
  await s.get(b, "/go");
  return {
    async check(): Promise<void> {
      const before = [(await s.get(a, "/")).ok, (await s.get(b, "/")).ok];
      await waitFor(async () => (await s.get(a, "/")).ok > before[0] + 10 && (await s.get(b, "/")).ok > before[1] + 10, 20_000);
      for (const id of [a, b]) {
        const stats = await s.get(id, "/");
        assert.equal(stats.errors, 0, `a canary saw an error: ${stats.lastError}`);
      }
    },
  };
}

async function withCanaries(t: TestContext, body: (s: RegistrySandbox) => Promise<void>): Promise<void> {
  const s = useRegistrySandbox(t);
  const canaries = await useCanaries(s);
  await body(s);
  await canaries.check();
}

const SINK = `
export default {
  start(ctx) {
    ctx.registry.provide("sink", {
      echo: (value) => value,
      describe(value) {
        return { type: typeof value, keys: value && typeof value === "object" ? Object.keys(value) : [], cyclic: value?.self === value };
      },
    });
  },
};`;

const SENDS = `{
  proxy: async (ctx) => (await ctx.registry.use("sink", "sink")).echo(new Proxy({}, { get: () => 1 })),
  getterThrows: async (ctx) => (await ctx.registry.use("sink", "sink")).echo({ get x() { throw new SyntaxError("getter says no"); } }),
  getterLoops: async (ctx) => (await ctx.registry.use("sink", "sink")).echo({ get x() { for (;;) {} } }),
  thenable: async (ctx) => (await ctx.registry.use("sink", "sink")).echo({ then(resolve) { resolve(1); } }),
  func: async (ctx) => (await ctx.registry.use("sink", "sink")).echo(() => 1),
  symbol: async (ctx) => (await ctx.registry.use("sink", "sink")).echo(Symbol("s")),
  shared: async (ctx) => (await ctx.registry.use("sink", "sink")).echo({ memory: new SharedArrayBuffer(8) }),
  huge: async (ctx) => (await ctx.registry.use("sink", "sink")).echo("x".repeat(100 * 1024 * 1024)),
  deep: async (ctx) => { let v = []; for (let i = 0; i < 2000; i++) v = [v]; return (await ctx.registry.use("sink", "sink")).echo(v); },
  growsOnSecondRead: async (ctx) => {
    let reads = 0;
    return (await ctx.registry.use("sink", "sink")).echo({ get x() { return ++reads === 1 ? "" : "y".repeat(8 * 1024 * 1024); } });
  },
  cyclic: async (ctx) => { const o = { a: 1 }; o.self = o; return (await ctx.registry.use("sink", "sink")).describe(o); },
  undeclared: async (ctx) => (await ctx.registry.use("canary-a", "ping")).ping(1),
}`;

const RETURNS = `
export default {
  start(ctx) {
    ctx.registry.provide("bad", {
      proxy: () => new Proxy({}, {}),
      getterThrows: () => ({ get x() { throw new SyntaxError("getter says no"); } }),
      getterLoops: () => ({ get x() { for (;;) {} } }),
      thenableOfFunction: () => ({ then(resolve) { resolve(() => 1); } }),
      func: () => () => 1,
      shared: () => new Uint8Array(new SharedArrayBuffer(8)),
      huge: () => "x".repeat(100 * 1024 * 1024),
      growsOnSecondRead() { let reads = 0; return { get x() { return ++reads === 1 ? "" : "y".repeat(8 * 1024 * 1024); } }; },
      cyclic: () => { const o = { b: 2 }; o.self = o; return o; },
      never: () => new Promise(() => {}),
      throwsNumber() { throw 42; },
      throwsNull() { throw null; },
      throwsString() { throw "just a string"; },
      throwsProxy() { throw new Proxy({}, { get() { throw new Error("trap"); } }); },
      throwsUnreadable() { const e = new Error("x"); Object.defineProperty(e, "message", { get() { throw new Error("no"); } }); throw e; },
      throwsOddName() { const e = new Error("odd"); e.name = "<script>"; throw e; },
      throwsHuge() { throw new Error("m".repeat(1024 * 1024)); },
      rejectsUndefined: () => Promise.reject(undefined),
      fine: () => "fine",
    });
  },
};`;

const CALLS_BAD = `{
  ...Object.fromEntries(["proxy", "getterThrows", "getterLoops", "thenableOfFunction", "func", "shared", "huge", "growsOnSecondRead", "never",
    "throwsNumber", "throwsNull", "throwsString", "throwsProxy", "throwsUnreadable", "throwsOddName", "throwsHuge", "rejectsUndefined", "fine"]
    .map((name) => [name, async (ctx) => (await ctx.registry.use("bad", "bad"))[name]()])),
  cyclic: async (ctx) => { const o = await (await ctx.registry.use("bad", "bad")).cyclic(); return [o.self === o, o.b]; },
  messageLength: async (ctx) => { try { await (await ctx.registry.use("bad", "bad")).throwsHuge(); } catch (e) { return e.message.length; } },
}`;

describe("a consumer that abuses the registry fails alone", () => {
  test("calling a package it did not declare is NotCapable", async (t) => {
    await withCanaries(t, async (s) => {
      const offender = await s.load("offender", actor(SENDS), { dependencies: ["sink"] });
      assert.deepEqual(await s.get(offender, "/undeclared"), {
        ok: false,
        name: "NotCapable",
        message: `package "offender" cannot use "canary-a/ping": "canary-a" is not in the isopod.dependencies of "offender"`,
        code: "not_capable",
        isError: true,
      });
    });
  });

  test("values that cannot be cloned are refused in the caller; a cyclic one arrives as a cyclic copy", async (t) => {
    await withCanaries(t, async (s) => {
      await s.load("sink", SINK);
      const offender = await s.load("offender", actor(SENDS), { dependencies: ["sink"], memoryMb: 512 });
      const expected: Record<string, [string, RegExp]> = {
        proxy: ["DataCloneError", /arguments of "sink\/sink"\.echo\(\) cannot be cloned: #<Object> could not be cloned/],
        getterThrows: ["SyntaxError", /^getter says no$/],
        thenable: ["DataCloneError", /could not be cloned/],
        func: ["DataCloneError", /could not be cloned/],
        symbol: ["DataCloneError", /could not be cloned/],
        shared: ["DataCloneError", /cannot cross the registry: a SharedArrayBuffer would be shared, not copied/],
        huge: ["RangeError", /arguments of "sink\/sink"\.echo\(\) cannot cross the registry: it is larger than 4194304 bytes/],
        deep: ["DataCloneError", /it nests objects more than 1000 deep/],
        growsOnSecondRead: ["RangeError", /cannot cross the registry: it is larger than 4194304 bytes/],
      };
      for (const [action, [name, message]] of Object.entries(expected)) {
        const answer = await s.get(offender, `/${action}`);
        assert.equal(answer.ok, false, action);
        assert.equal(answer.name, name, `${action}: ${answer.message}`);
        assert.match(answer.message, message, action);
      }
      assert.deepEqual(await s.get(offender, "/cyclic"), { ok: true, value: { type: "object", keys: ["a", "self"], cyclic: true } });
      const [sink] = (await s.sandbox.resources()).filter((r) => r.provider === "sink");
      assert.equal(sink?.calls, 2, "only growsOnSecondRead reached the host, refused there; only cyclic reached the provider");
    });
  });

  test("a getter that loops holds only the caller's own request, cut off at its timeoutMs", async (t) => {
    await withCanaries(t, async (s) => {
      const sink = await s.load("sink", SINK);
      const offender = await s.load("offender", actor(SENDS), { dependencies: ["sink"], timeoutMs: 500 });
      await assert.rejects(s.get(offender, "/getterLoops"), (error: unknown) => error instanceof SandboxFailure && error.reason === "wall-time");
      const probe = await s.load("probe", actor(`{ echo: async (ctx) => (await ctx.registry.use("sink", "sink")).echo(7) }`), { dependencies: ["sink"] });
      assert.deepEqual(await s.get(probe, "/echo"), { ok: true, value: 7 });
      assert.ok(sink);
    });
  });

  test("a consumer with thousands of calls in flight is refused with Busy past its bound", async (t) => {
    await withCanaries(t, async (s) => {
      await s.load("slow", `export default { start(ctx) { ctx.registry.provide("slow", { wait: () => new Promise((r) => setTimeout(r, 2000)) }); } };`);
      const flood = actor(`{
        flood: async (ctx) => {
          const slow = await ctx.registry.use("slow", "slow");
          const results = await Promise.allSettled(Array.from({ length: 3000 }, () => slow.wait()));
          const names = {};
          for (const r of results) { const key = r.status === "fulfilled" ? "ok" : r.reason.name; names[key] = (names[key] ?? 0) + 1; }
          return names;
        },
      }`);
      const offender = await s.load("offender", flood, { dependencies: ["slow"] });
      const answer = await s.get(offender, "/flood");
      assert.deepEqual(answer, { ok: true, value: { ok: 1024, Busy: 3000 - 1024 } });
    });
  });
});

describe("a provider that abuses the registry fails alone", () => {
  test("results that cannot cross are errors for the caller; the provider answers the next call", async (t) => {
    await withCanaries(t, async (s) => {
      await s.load("bad", RETURNS, { memoryMb: 512, timeoutMs: 500 });
      const caller = await s.load("caller", actor(CALLS_BAD), { dependencies: ["bad"] });
      const expected: Record<string, [string, RegExp]> = {
        proxy: ["DataCloneError", /the result of "bad\/bad"\.proxy\(\) cannot be cloned: #<Object> could not be cloned/],
        getterThrows: ["SyntaxError", /^getter says no$/],
        getterLoops: ["TimedOut", /"bad\/bad"\.getterLoops\(\) did not answer within 500 ms/],
        thenableOfFunction: ["DataCloneError", /could not be cloned/],
        func: ["DataCloneError", /could not be cloned/],
        shared: ["DataCloneError", /a SharedArrayBuffer would be shared, not copied/],
        huge: ["RangeError", /the result of "bad\/bad"\.huge\(\) cannot cross the registry: it is larger than 4194304 bytes/],
        growsOnSecondRead: ["RangeError", /^the result of "bad\/bad"\.growsOnSecondRead\(\) cannot cross the registry: it is larger than 4194304 bytes$/],
        never: ["TimedOut", /"bad\/bad"\.never\(\) did not answer within 500 ms \(the provider's timeoutMs\)/],
        throwsNumber: ["Error", /^the provider threw a value that is not an Error: 42$/],
        throwsNull: ["Error", /^the provider threw a value that is not an Error: null$/],
        throwsString: ["Error", /^the provider threw a value that is not an Error: just a string$/],
        throwsProxy: ["Error", /not an Error: an object|cannot be read/],
        throwsUnreadable: ["Error", /^the provider threw an error whose message cannot be read$/],
        throwsOddName: ["Error", /^odd$/],
        rejectsUndefined: ["Error", /^the provider threw a value that is not an Error: undefined$/],
      };
      for (const [action, [name, message]] of Object.entries(expected)) {
        const answer = await s.get(caller, `/${action}`);
        assert.equal(answer.ok, false, `${action}: ${JSON.stringify(answer)}`);
        assert.equal(answer.name, name, `${action}: ${answer.message}`);
        assert.match(answer.message, message, action);
        assert.equal(answer.isError, true, action);
        assert.deepEqual(await s.get(caller, "/fine"), { ok: true, value: "fine" }, `after ${action}`);
      }
      assert.deepEqual(await s.get(caller, "/cyclic"), { ok: true, value: [true, 2] });
      assert.equal((await s.get(caller, "/messageLength")).value, 16 * 1024);
    });
  });
});

describe("packages that abuse the registry together fail alone", () => {
  const LOOP = (other: string) => `
let peer;
export default {
  start(ctx) {
    globalThis.ctx = ctx;
    ctx.registry.provide("loop", {
      async bounce(n) { peer ??= await ctx.registry.use(${JSON.stringify(other)}, "loop"); return peer.bounce(n + 1); },
      bounceDirect(n) { return peer.bounceDirect(n + 1); },
      async bounceLater(n) { peer ??= await ctx.registry.use(${JSON.stringify(other)}, "loop"); await null; return peer.bounceLater(n + 1); },
    });
  },
  async fetch(request) {
    const how = new URL(request.url).pathname.slice(1);
    peer ??= await ctx.registry.use(${JSON.stringify(other)}, "loop");
    if (how === "arm") return Response.json({ ok: true });
    try {
      return Response.json({ ok: true, value: await peer[how](0) });
    } catch (error) {
      return Response.json({ ok: false, name: error.name, code: error.code ?? null, message: error.message });
    }
  },
};`;

  test("two packages that call each other without end hit the depth or in-flight bound and fail cleanly", async (t) => {
    await withCanaries(t, async (s) => {
      const a = await s.load("loop-a", LOOP("loop-b"), { dependencies: ["loop-b"], timeoutMs: 10_000 });
      const b = await s.load("loop-b", LOOP("loop-a"), { dependencies: ["loop-a"], timeoutMs: 10_000 });
      await s.get(a, "/arm");
      await s.get(b, "/arm");
      const direct = await s.get(a, "/bounceDirect");
      // The bound is hit 64 calls down; each provider on the way rethrows it, and a provider's error crosses as name and message.
      assert.deepEqual([direct.name, direct.code], ["RangeError", null], JSON.stringify(direct));
      assert.match(direct.message, /^"loop-[ab]\/loop"\.bounceDirect\(\): registry calls nested more than 64 deep$/);
      const later = await s.get(a, "/bounceLater");
      assert.equal(later.ok, false);
      assert.ok(["Busy", "TimedOut"].includes(later.name), JSON.stringify(later));
      assert.deepEqual((await s.get(a, "/bounce")).ok, false);
      // Both are still there and answer.
      assert.equal((await s.sandbox.resources()).filter((r) => r.provider.startsWith("loop-")).length, 2);
    });
  });

  test("a package that provides 100,000 resources is stopped at its bound; others still provide", async (t) => {
    await withCanaries(t, async (s) => {
      const hoarder = actor(
        `{ report: () => globalThis.report }`,
        `let n = 0; try { for (; n < 100000; n++) ctx.registry.provide("r" + n, { f() {} }); globalThis.report = { n }; }
         catch (error) { globalThis.report = { n, name: error.name, message: error.message }; }`,
      );
      const id = await s.load("hoarder", hoarder);
      assert.deepEqual(await s.get(id, "/report"), {
        ok: true,
        value: { n: 1000, name: "RangeError", message: `cannot provide "r1000": "hoarder" already provides 1000 resources, the most one package may` },
      });
      await s.load("sink", SINK);
      const all = await s.sandbox.resources();
      assert.equal(all.filter((r) => r.provider === "hoarder").length, 1000);
      assert.equal(all.filter((r) => r.provider === "sink").length, 1);
      await s.sandbox.dispose(id);
      assert.equal((await s.sandbox.resources()).filter((r) => r.provider === "hoarder").length, 0);
    });
  });
});
