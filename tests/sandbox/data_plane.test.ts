// The data plane: the sandbox process serves /pkg/{name}/* on ISOPOD_PKG_PORT
// itself, answering as the admin port does, counting into /v1/stats, and
// coming back after a crash of the sandbox process.

import assert from "node:assert/strict";
import { test } from "node:test";
import { addModule } from "../helpers/add_module.ts";
import { useHost, type TestHost } from "../helpers/use_host.ts";
import { waitFor } from "../helpers/wait_for.ts";

const ECHO = `export default {
  async fetch(request, info) {
    const url = new URL(request.url);
    const body = request.method === "POST" ? await request.text() : "";
    return Response.json({ method: request.method, path: url.pathname, query: url.search, agent: request.headers.get("x-agent"), body, remote: info.remoteAddr.hostname }, { headers: { "x-pkg": "yes" } });
  },
};`;

async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  return ((await response.json()) as { error: { code: string; message: string } }).error;
}

async function pkgUrlOf(h: TestHost): Promise<string> {
  await waitFor(() => h.host.pkgUrl !== undefined, 10_000);
  return h.host.pkgUrl!;
}

test("a request on the data port answers as the same request on the admin port does", async (t) => {
  const h = await useHost(t, { pkgPort: 0 });
  await addModule(t, h, "@dp/echo", ECHO, { start: true });
  const base = await pkgUrlOf(h);
  for (const [method, body] of [["GET", undefined], ["POST", "hello body"]] as const) {
    const init = { method, headers: { "x-agent": "test" }, ...(body !== undefined && { body }) };
    const viaData = await fetch(`${base}/pkg/@dp/echo/a/b?x=1`, init);
    const viaAdmin = await h.request(method, "/pkg/@dp/echo/a/b?x=1", { token: null, headers: { "x-agent": "test" }, ...(body !== undefined && { body }) });
    assert.equal(viaData.status, 200);
    assert.equal(viaData.headers.get("x-pkg"), "yes");
    assert.equal(viaData.headers.get("content-type"), viaAdmin.headers.get("content-type"));
    assert.deepEqual(await viaData.json(), await viaAdmin.json());
  }
  const encoded = await fetch(`${base}/pkg/%40dp%2Fecho/c`);
  assert.equal(((await encoded.json()) as { path: string }).path, "/c");
});

test("the data port answers 503 with Retry-After while the package is stopped, and serves it again once started", async (t) => {
  const h = await useHost(t, { pkgPort: 0 });
  await addModule(t, h, "@dp/stoppable", ECHO, { start: true });
  const base = await pkgUrlOf(h);
  assert.equal((await fetch(`${base}/pkg/@dp/stoppable/`)).status, 200);
  assert.equal((await h.json("POST", "/v1/packages/@dp/stoppable/stop")).status, 200);
  const stopped = await fetch(`${base}/pkg/@dp/stoppable/`);
  assert.equal(stopped.status, 503);
  assert.equal(stopped.headers.get("retry-after"), "5");
  assert.equal((await errorOf(stopped)).code, "not_running");
  assert.equal((await h.json("POST", "/v1/packages/@dp/stoppable/start")).status, 200);
  assert.equal((await fetch(`${base}/pkg/@dp/stoppable/`)).status, 200);
});

test("requests answered on the data port reach the package's counters in /v1/stats and /metrics", async (t) => {
  const h = await useHost(t, { pkgPort: 0 });
  await addModule(t, h, "@dp/counted", `export default { fetch: (r) => new URL(r.url).pathname === "/fail" ? new Response("no", { status: 502 }) : new Response("ok") };`, { start: true });
  const base = await pkgUrlOf(h);
  for (let i = 0; i < 7; i++) await (await fetch(`${base}/pkg/@dp/counted/`)).arrayBuffer();
  for (let i = 0; i < 2; i++) await (await fetch(`${base}/pkg/@dp/counted/fail`)).arrayBuffer();
  await waitFor(async () => (await h.json("GET", "/v1/stats")).body.packages.find((p: { name: string }) => p.name === "@dp/counted")?.requests === 9, 5_000);
  const stats = (await h.json("GET", "/v1/stats")).body.packages.find((p: { name: string }) => p.name === "@dp/counted");
  assert.equal(stats.errors, 2);
  const metrics = await (await h.request("GET", "/metrics")).text();
  assert.match(metrics, /@dp\/counted/);
});

test("the data port refuses what is not a package's path, naming the problem, and counts nothing for it", async (t) => {
  const h = await useHost(t, { pkgPort: 0 });
  await addModule(t, h, "@dp/target", ECHO, { start: true });
  const base = await pkgUrlOf(h);
  const outside = await fetch(`${base}/v1/packages`);
  assert.equal(outside.status, 404);
  assert.match((await errorOf(outside)).message, /this port serves \/pkg/);
  const badName = await fetch(`${base}/pkg/%E0%A4%A/x`);
  assert.equal(badName.status, 400);
  assert.match((await errorOf(badName)).message, /percent-encoding/);
  const invalid = await fetch(`${base}/pkg/..%2F..%2Fetc/x`);
  assert.equal(invalid.status, 400);
  assert.match((await errorOf(invalid)).message, /not a valid package name/);
  const unknown = await fetch(`${base}/pkg/@dp/nobody/`);
  assert.equal(unknown.status, 503);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const names = (await h.json("GET", "/v1/stats")).body.packages.map((p: { name: string }) => p.name);
  assert.deepEqual(names, ["@dp/target"]);
});

test("a crash of the sandbox process fails only its share of /pkg, and the data port serves again once it is back", { skip: process.env.ISOPOD_SANDBOX === "inline" }, async (t) => {
  const h = await useHost(t, { pkgPort: 0 });
  await addModule(t, h, "@dp/survivor", ECHO, { start: true });
  const base = await pkgUrlOf(h);
  assert.equal((await fetch(`${base}/pkg/@dp/survivor/`)).status, 200);
  const pid = (h.host.sandbox as { pid?: number }).pid!;
  process.kill(pid, "SIGKILL");
  await waitFor(() => (h.host.sandbox as { pid?: number }).pid !== pid && h.host.packages.runningCount === 1, 10_000);
  // The API answered throughout; the new process listens again (port 0: a new port).
  assert.equal((await h.json("GET", "/healthz", { token: null })).status, 200);
  const again = await pkgUrlOf(h);
  await waitFor(async () => (await fetch(`${again}/pkg/@dp/survivor/`).catch(() => undefined))?.status === 200, 10_000);
  assert.equal((await fetch(`${base === again ? base : again}/pkg/@dp/survivor/x`)).status, 200);
});

test("every byte value of a small body reaches the client as the package sent it, and HEAD gets the head only", async (t) => {
  const h = await useHost(t, { pkgPort: 0 });
  const BYTES = `export default { fetch: () => new Response(new Uint8Array(512).map((_, i) => 255 - (i % 256)), { headers: { "content-type": "application/octet-stream" } }) };`;
  await addModule(t, h, "@dp/bytes", BYTES, { start: true });
  const base = await pkgUrlOf(h);
  const answer = await fetch(`${base}/pkg/@dp/bytes/`);
  assert.equal(answer.headers.get("content-length"), "512");
  assert.deepEqual([...new Uint8Array(await answer.arrayBuffer())], Array.from({ length: 512 }, (_, i) => 255 - (i % 256)));
  const head = await fetch(`${base}/pkg/@dp/bytes/`, { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal((await head.arrayBuffer()).byteLength, 0);
});

test("a client that goes away before its answer aborts the request's signal in the package, and nothing else", async (t) => {
  const h = await useHost(t, { pkgPort: 0 });
  const WAITER = `const seen = [];
export default {
  async fetch(request) {
    const path = new URL(request.url).pathname;
    if (path === "/seen") return Response.json(seen);
    const signal = request.signal;
    const aborted = await new Promise((resolve) => {
      signal.addEventListener("abort", () => resolve(true), { once: true });
      setTimeout(() => resolve(false), 400);
    });
    seen.push([path, aborted, aborted ? signal.reason.name : null]);
    return new Response("done");
  },
};`;
  await addModule(t, h, "@dp/waiter", WAITER, { start: true });
  const base = await pkgUrlOf(h);
  const client = new AbortController();
  const left = fetch(`${base}/pkg/@dp/waiter/left`, { signal: client.signal }).catch(() => "gone");
  setTimeout(() => client.abort(), 50);
  assert.equal(await left, "gone");
  assert.equal(await (await fetch(`${base}/pkg/@dp/waiter/stayed`)).text(), "done");
  const seen = async () => (await (await fetch(`${base}/pkg/@dp/waiter/seen`)).json()) as unknown[];
  await waitFor(async () => (await seen()).length === 2, 5_000);
  assert.deepEqual(await seen(), [["/left", true, "AbortError"], ["/stayed", false, null]]);
});
