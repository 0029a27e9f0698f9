// Requests answered on the host's thread (sandbox/host/request_dispatch.ts):
// sync, async and waiting handlers and body streams answer as before, and a handler that loops
// blocks the process's event loop once, then runs on its own thread.

import assert from "node:assert/strict";
import { test } from "node:test";
import { isolateSpec } from "../helpers/isolate_spec.ts";
import { longestStall } from "../helpers/longest_stall.ts";
import { LocalSandbox, SandboxFailure, type IsolateSpec, type SandboxRequest } from "../../sandbox/index.ts";

const MODULE = `
export default {
  fetch(request) {
    const what = new URL(request.url).pathname.slice(1);
    if (what === "sync") return new Response("sync");
    if (what === "async") return (async () => new Response("async"))();
    if (what === "timer") return new Promise((resolve) => setTimeout(() => resolve(new Response("timer")), 20));
    if (what === "throw") throw new Error("boom");
    if (what === "reject") return Promise.reject(new Error("boom"));
    if (what === "loop") for (;;);
    if (what === "stream" || what === "slowStream") {
      let n = 0;
      const pull = (controller) => (n < 3 ? controller.enqueue(new TextEncoder().encode(String(n++))) : controller.close());
      const slow = (controller) => new Promise((resolve) => setTimeout(() => resolve(pull(controller)), 5));
      return new Response(new ReadableStream({ pull: what === "stream" ? pull : slow }));
    }
    return new Response("?", { status: 404 });
  },
};
`;

function spec(timeoutMs: number): IsolateSpec {
  return isolateSpec("fast", MODULE, { timeoutMs });
}

function get(what: string): SandboxRequest {
  return { head: { method: "GET", url: `http://x/${what}`, headers: [], remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 } }, body: null };
}

async function text(sandbox: LocalSandbox, what: string): Promise<string> {
  const answer = await sandbox.request("fast#1", get(what));
  if (answer.body === null || answer.body instanceof Uint8Array) return new TextDecoder().decode(answer.body ?? new Uint8Array());
  let text = "";
  for (let chunk = await answer.body.read(); chunk !== null; chunk = await answer.body.read()) text += new TextDecoder().decode(chunk);
  return text;
}

test("sync, async, waiting and failing handlers answer as on the isolate's thread", async (t) => {
  const sandbox = new LocalSandbox();
  t.after(() => sandbox.close());
  await sandbox.load(spec(1_000));
  for (let round = 0; round < 3; round++) {
    assert.equal(await text(sandbox, "sync"), "sync");
    assert.equal(await text(sandbox, "async"), "async");
    assert.equal(await text(sandbox, "timer"), "timer");
    assert.equal(await text(sandbox, "stream"), "012");
    assert.equal(await text(sandbox, "slowStream"), "012");
    const answers = await Promise.all(["sync", "timer", "stream", "async", "slowStream", "sync"].map((what) => text(sandbox, what)));
    assert.deepEqual(answers, ["sync", "timer", "012", "async", "012", "sync"]);
    for (const what of ["throw", "reject"]) {
      await assert.rejects(sandbox.request("fast#1", get(what)), (error: unknown) => error instanceof SandboxFailure && error.reason === "handler-error");
    }
  }
});

test("a handler that loops blocks the event loop once, then runs on its own thread", async (t) => {
  const sandbox = new LocalSandbox();
  t.after(() => sandbox.close());
  await sandbox.load(spec(300));
  assert.equal(await text(sandbox, "sync"), "sync");
  const loop = () => assert.rejects(sandbox.request("fast#1", get("loop")), (error: unknown) => error instanceof SandboxFailure && error.reason === "wall-time");
  const first = await longestStall(loop);
  assert.ok(first >= 250, `the first loop ran on the host's thread: the loop stalled ${first.toFixed(0)} ms`);
  const second = await longestStall(loop);
  assert.ok(second < 150, `the second loop ran on the isolate's thread: the loop stalled ${second.toFixed(0)} ms`);
  assert.equal(await text(sandbox, "sync"), "sync");
});

test("requests that arrive together enter the isolate in one batch, and each gets its own answer or failure", async (t) => {
  const sandbox = new LocalSandbox();
  t.after(() => sandbox.close());
  await sandbox.load(spec(1_000));
  const kinds = ["sync", "throw", "async", "reject", "stream", "timer", "nothing", "sync"];
  const settled = await Promise.allSettled(kinds.map((what) => text(sandbox, what)));
  const seen = settled.map((result) => (result.status === "fulfilled" ? result.value : (result.reason as SandboxFailure).reason));
  assert.deepEqual(seen, ["sync", "handler-error", "async", "handler-error", "012", "timer", "?", "sync"]);
});

test("a package with a long wall time but a short CPU budget runs on the host's thread, and a loop there is ended by its CPU budget", async (t) => {
  const sandbox = new LocalSandbox();
  t.after(() => sandbox.close());
  // The host's defaults are like this: 5 s of wall time, 2 s of CPU.
  await sandbox.load(isolateSpec("fast", MODULE, { timeoutMs: 5_000, cpuMs: 300 }));
  assert.equal(await text(sandbox, "sync"), "sync");
  const stall = await longestStall(() =>
    assert.rejects(sandbox.request("fast#1", get("loop")), (error: unknown) => error instanceof SandboxFailure && error.reason === "cpu-time"),
  );
  assert.ok(stall >= 250, `the loop ran on the host's thread: the loop stalled ${stall.toFixed(0)} ms`);
  assert.ok(stall < 2_000, `the loop was cut just past its CPU budget, not at its wall time: ${stall.toFixed(0)} ms`);
});
