// A received request's signal (isolate/web/lazy_abort.ts): made on first access,
// it still fires when the host gives up on the request, whether the handler looked before or after.

import assert from "node:assert/strict";
import { test } from "node:test";
import { isolateSpec } from "../helpers/isolate_spec.ts";
import { LocalSandbox, type SandboxRequest } from "../../sandbox/index.ts";

const CODE = `const seen = [];
export default {
  async fetch(request) {
    const path = new URL(request.url).pathname;
    if (path === "/seen") return Response.json(seen);
    if (path === "/early") {
      const signal = request.signal;
      await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
      seen.push(["early", signal.aborted, signal.reason.name]);
      return new Response("late");
    }
    if (path === "/late") {
      await new Promise((resolve) => setTimeout(resolve, 150));
      const signal = request.signal;
      seen.push(["late", signal.aborted, signal.reason?.name ?? null]);
      return new Response("late");
    }
    if (path === "/answered") {
      const signal = request.signal;
      setTimeout(() => seen.push(["answered", signal.aborted]), 50);
      return new Response("now");
    }
    return new Response("ok");
  },
};`;

function get(path: string, signal?: AbortSignal): SandboxRequest {
  const request: SandboxRequest = { head: { method: "GET", url: `http://x${path}`, headers: [["host", "x"]], remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 } }, body: null };
  return signal ? { ...request, signal } : request;
}

async function seen(sandbox: LocalSandbox): Promise<unknown> {
  const answer = await sandbox.request("signal#1", get("/seen"));
  return JSON.parse(new TextDecoder().decode(answer.body as Uint8Array));
}

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100 && !(await check()); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** What the handler at `path` saw once the client went away 30 ms into its request. */
async function seenAfterClientLeft(t: { after: (fn: () => Promise<void>) => void }, path: "/early" | "/late"): Promise<unknown> {
  const sandbox = new LocalSandbox();
  t.after(() => sandbox.close());
  await sandbox.load(isolateSpec("signal", CODE, { timeoutMs: 2_000 }));
  const client = new AbortController();
  const answer = sandbox.request("signal#1", get(path, client.signal)).catch((error: unknown) => error);
  setTimeout(() => client.abort(), 30);
  await answer;
  await until(async () => JSON.stringify(await seen(sandbox)).includes(path.slice(1)));
  return seen(sandbox);
}

test("a handler that took the signal before the client went away sees it abort with an AbortError", async (t) => {
  assert.deepEqual(await seenAfterClientLeft(t, "/early"), [["early", true, "AbortError"]]);
});

test("a handler that first reads the signal after the client went away finds it aborted", async (t) => {
  assert.deepEqual(await seenAfterClientLeft(t, "/late"), [["late", true, "AbortError"]]);
});

test("a request answered in time never aborts its signal", async (t) => {
  const sandbox = new LocalSandbox();
  t.after(() => sandbox.close());
  await sandbox.load(isolateSpec("signal", CODE, { timeoutMs: 2_000 }));
  const answer = await sandbox.request("signal#1", get("/answered"));
  assert.equal(new TextDecoder().decode(answer.body as Uint8Array), "now");
  await until(async () => JSON.stringify(await seen(sandbox)).includes("answered"));
  assert.deepEqual(await seen(sandbox), [["answered", false]]);
});
