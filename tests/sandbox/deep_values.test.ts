// Hostile: a value nested 100,000 deep handed to console.log, JSON.stringify,
// structuredClone fails with a RangeError at once, as in Deno.

import assert from "node:assert/strict";
import { test } from "node:test";
import { addPackage } from "../helpers/add_package.ts";
import { useHost } from "../helpers/use_host.ts";

const DEEP = `
const deep = () => { let value: unknown = {}; for (let i = 0; i < 100_000; i++) value = { value }; return value; };
const deepArray = () => { let value: unknown = []; for (let i = 0; i < 100_000; i++) value = [value]; return value; };
const attempts: Record<string, () => unknown> = {
  log: () => console.log(deep()),
  logArray: () => console.log(deepArray()),
  stringify: () => JSON.stringify(deep()),
  parse: () => JSON.parse("[".repeat(100_000) + "]".repeat(100_000)),
  clone: () => structuredClone(deep()),
};
export default {
  async fetch(request: Request): Promise<Response> {
    const name = new URL(request.url).pathname.slice(1);
    const started = performance.now();
    try {
      attempts[name]!();
      return Response.json({ ok: true, ms: performance.now() - started });
    } catch (error) {
      return Response.json({ ok: false, name: (error as Error).name, ms: performance.now() - started });
    }
  },
};
`;

test("a value nested 100,000 deep ends console.log, JSON and structuredClone in milliseconds as in Deno, and the package serves on", async (t) => {
  const testHost = await useHost(t);
  const pkg = await addPackage(t, testHost, "deep", { files: { "mod.ts": DEEP }, manifest: { limits: { cpuMs: 2000, timeoutMs: 3000 } } });
  for (const name of ["log", "logArray", "stringify", "parse", "clone"]) {
    const started = performance.now();
    const answer = await pkg.call(`/${name}`);
    const elapsed = performance.now() - started;
    assert.equal(answer.status, 200, `${name}: ${answer.text}`);
    const body = JSON.parse(answer.text) as { ok: boolean; name?: string };
    // As in Deno 2.9: console.log cuts the depth, JSON.parse parses (V8's parser is not recursive), the others throw.
    if (name.startsWith("log") || name === "parse") assert.equal(body.ok, true, `${name}: ${answer.text}`);
    else assert.deepEqual([body.ok, body.name], [false, "RangeError"], `${name}: ${answer.text}`);
    assert.ok(elapsed < 1500, `${name} took ${Math.round(elapsed)} ms`);
  }
});
