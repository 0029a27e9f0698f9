// ANY /pkg/{name}/*: the package's own answers, and the host's answers for a
// package that is missing, stopped, failing or over a limit.

import assert from "node:assert/strict";
import { test } from "node:test";
import { addPackage } from "../helpers/add_package.ts";
import { assertApiError } from "../helpers/assertions.ts";
import { rawRequest } from "../helpers/clients/raw_request.ts";
import { useHost, useServer } from "../helpers/use_host.ts";
import { waitFor } from "../helpers/wait_for.ts";

const ROUTES = `
export default {
  async fetch(request: Request, info: Deno.ServeHandlerInfo): Promise<Response> {
    const url = new URL(request.url);
    switch (url.pathname) {
      case "/hang": return await new Promise<Response>(() => {});
      case "/spin": for (;;) {}
      case "/spin-later": await Deno.permissions.query({ name: "env" }); for (;;) {}
      case "/throw": throw new Error("the handler failed on purpose");
      case "/memory": { const hog: string[] = []; for (;;) hog.push("x".repeat(1 << 20) + hog.length); }
      case "/echo": {
        const body = await request.arrayBuffer();
        return Response.json({ method: request.method, bytes: body.byteLength, url: request.url, auth: request.headers.get("authorization"), remote: info.remoteAddr });
      }
      case "/upper": return new Response(request.body!.pipeThrough(new TransformStream({ transform(chunk, c) { c.enqueue(chunk); } })));
      case "/chunks": {
        let n = 0;
        return new Response(new ReadableStream({ pull(c) { n < 50 ? c.enqueue(new TextEncoder().encode("chunk " + n++ + "\\n")) : c.close(); } }));
      }
      default: return new Response("ok " + url.pathname + url.search);
    }
  },
};`;

async function routesHost(t: Parameters<typeof useHost>[0], limits = { timeoutMs: 500, memoryMb: 16 }) {
  const testHost = await useHost(t);
  const pkg = await addPackage(t, testHost, "routes", { manifest: { isopod: { limits } }, files: { "mod.ts": ROUTES } });
  return { testHost, pkg };
}

test("/pkg takes a scoped name literally or encoded, and the package sees the rest of the path and the query", async (t) => {
  const testHost = await useHost(t);
  assert.equal((await testHost.json("POST", "/v1/packages", { body: { path: "packages/hello", start: true } })).status, 200);
  for (const [url, path] of [
    ["/pkg/@isopod/hello/a/b?name=x", "/a/b"],
    ["/pkg/%40isopod%2Fhello/a/b?name=x", "/a/b"],
    ["/pkg/%40isopod%2fhello?name=x", "/"],
    ["/pkg/@isopod/hello?name=x", "/"],
  ] as const) {
    const response = await testHost.request("GET", url, { token: null });
    assert.equal(response.status, 200, url);
    assert.deepEqual(await response.json(), { message: "Hello, x!", path }, url);
  }
});

test("/pkg of a package that is not installed is 404, and a bad name is 400", async (t) => {
  const testHost = await useHost(t);
  const missing = await testHost.json("GET", "/pkg/@acme/nothing/x", { token: null });
  assertApiError(missing, 404, "not_found", /"@acme\/nothing" is not installed/);
  const bad = await testHost.json("GET", "/pkg/Not_A_Name/", { token: null });
  assertApiError(bad, 400, "bad_request", /not a valid package name/);
});

test("/pkg of a stopped package is 503 with Retry-After and the JSON error, and changes nothing", async (t) => {
  const { testHost, pkg } = await routesHost(t);
  await testHost.json("POST", "/v1/packages/routes/stop");
  const response = await testHost.request("GET", "/pkg/routes/x", { token: null });
  assert.equal(response.status, 503);
  assert.equal(response.headers.get("retry-after"), "5");
  assertApiError({ status: 503, body: await response.json() }, 503, "not_running", /"routes" is not running/);
  assert.equal((await testHost.json("GET", "/v1/packages/routes")).body.state, "installed");
  assert.equal(pkg.name, "routes");
});

test("a handler that throws answers 500 Internal Server Error, as deno serve does, and the error is logged", async (t) => {
  const { testHost, pkg } = await routesHost(t);
  const answer = await pkg.call("/throw");
  assert.equal(answer.status, 500);
  assert.equal(answer.text, "Internal Server Error");
  await waitFor(() => testHost.host.store.logs.tail("routes").some((entry) => entry.level === "error" && entry.message.includes("the handler failed on purpose")));
  assert.equal((await pkg.call("/fine")).text, "ok /fine");
});

test("a request that outlives timeoutMs is 503 naming the limit, and the package goes on", async (t) => {
  const { testHost, pkg } = await routesHost(t);
  const response = await testHost.json("GET", "/pkg/routes/hang", { token: null });
  assertApiError(response, 503, "limit_exceeded", /timeoutMs/);
  assert.equal(response.body.error.limit, "timeoutMs");
  assert.equal((await pkg.call("/after")).text, "ok /after");
  assert.equal((await testHost.json("GET", "/v1/packages/routes")).body.state, "running");
});

test("a handler stuck in a loop is cut short with 503, and the package still answers", async (t) => {
  const { testHost, pkg } = await routesHost(t);
  const response = await testHost.json("GET", "/pkg/routes/spin", { token: null });
  assertApiError(response, 503, "limit_exceeded", /timeoutMs/);
  assert.equal((await pkg.call("/after")).text, "ok /after");
});

test("a loop after awaiting the host is cut short too, and the package still answers", async (t) => {
  const { testHost, pkg } = await routesHost(t);
  const response = await testHost.json("GET", "/pkg/routes/spin-later", { token: null });
  assertApiError(response, 503, "limit_exceeded", /timeoutMs/);
  assert.equal((await pkg.call("/after")).text, "ok /after");
});

test("a handler that exhausts its memory is 503 naming memoryMb, and the package is failed", async (t) => {
  const { testHost } = await routesHost(t, { timeoutMs: 5_000, memoryMb: 16 });
  const response = await testHost.json("GET", "/pkg/routes/memory", { token: null });
  assertApiError(response, 503, "limit_exceeded", /memoryMb/);
  await waitFor(async () => (await testHost.json("GET", "/v1/packages/routes")).body.state === "failed", 5_000);
  assert.equal((await testHost.json("GET", "/v1/packages/routes")).body.error.code, "memory");
  const next = await testHost.request("GET", "/pkg/routes/x", { token: null });
  assert.equal(next.status, 503);
  assert.equal(next.headers.get("retry-after"), "5");
});

test("a package without a fetch handler is 404 for /pkg", async (t) => {
  const testHost = await useHost(t);
  await addPackage(t, testHost, "quiet", { files: { "mod.ts": "export default { start() {} };" } });
  const response = await testHost.json("GET", "/pkg/quiet/", { token: null });
  assertApiError(response, 404, "not_found", /no fetch handler/);
});

test("request and response bodies stream through a real server, and the package sees the client's address and headers", async (t) => {
  const { testHost } = await routesHost(t, { timeoutMs: 10_000, memoryMb: 64 });
  const server = await useServer(t, testHost);
  const big = "x".repeat(3 * 1024 * 1024);
  const echo = await rawRequest(server.url, { method: "POST", path: "/pkg/routes/echo?q=1", body: big, headers: { authorization: "Bearer for-the-package" } });
  assert.equal(echo.status, 200);
  const body = JSON.parse(echo.body.toString()) as { bytes: number; url: string; auth: string; remote: { hostname: string; transport: string } };
  assert.equal(body.bytes, big.length);
  assert.match(body.url, /^http:\/\/127\.0\.0\.1:\d+\/echo\?q=1$/);
  assert.equal(body.auth, "Bearer for-the-package");
  assert.equal(body.remote.hostname, "127.0.0.1");
  assert.equal(body.remote.transport, "tcp");
  const piped = await rawRequest(server.url, { method: "POST", path: "/pkg/routes/upper", body: big });
  assert.equal(piped.body.length, big.length);
  const chunks = await rawRequest(server.url, { path: "/pkg/routes/chunks" });
  assert.ok(chunks.headers.some(([name, value]) => name === "transfer-encoding" && value === "chunked"));
  assert.equal(chunks.body.toString().split("\n").length, 51);
});
