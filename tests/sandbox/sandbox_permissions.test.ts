// Permissions inside the isolate: what was both asked and granted takes
// effect, Deno's deny form wins, explicit loopback grants work, and fetch
// bodies are bounded.

import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { addPackage } from "../helpers/add_package.ts";
import { useEchoServer } from "../helpers/echo_server.ts";
import { useHost } from "../helpers/use_host.ts";

const PROBE = `
export default {
  async fetch(request: Request): Promise<Response> {
    const q = new URL(request.url).searchParams;
    try {
      switch (new URL(request.url).pathname) {
        case "/env": return Response.json({ value: Deno.env.get(q.get("name")!) ?? null });
        case "/read": return Response.json({ value: await Deno.readTextFile(q.get("path")!) });
        case "/fetch": return Response.json({ value: await (await fetch(q.get("url")!)).text() });
        case "/count": {
          const reader = (await fetch(q.get("url")!)).body!.getReader();
          let bytes = 0;
          for (;;) { const { done, value } = await reader.read(); if (done) break; bytes += value.byteLength; }
          return Response.json({ value: bytes });
        }
        case "/unread": {
          const statuses: number[] = [];
          for (let i = 0; i < 40; i++) statuses.push((await fetch(q.get("url")!)).status);
          return Response.json({ value: statuses.filter((status) => status === 200).length });
        }
        case "/upload": return Response.json({ value: (await fetch(q.get("url")!, { method: "POST", body: new Uint8Array(Number(q.get("bytes"))) })).status });
      }
      return new Response("unknown", { status: 404 });
    } catch (error) {
      return Response.json({ error: (error as Error).name, message: (error as Error).message });
    }
  },
};`;

async function probe(t: Parameters<typeof useHost>[0], requested: unknown, grant: unknown, extra: { env?: Record<string, string>; files?: Record<string, string> } = {}) {
  const testHost = await useHost(t);
  const manifest = { permissions: { default: requested }, isopod: { limits: { memoryMb: 128, timeoutMs: 20_000 } } };
  const pkg = await addPackage(t, testHost, "probe", { manifest, files: { "mod.ts": PROBE, ...extra.files }, grant, ...(extra.env && { env: extra.env }) });
  return async (pathAndQuery: string) => JSON.parse((await pkg.call(pathAndQuery)).text) as { value?: unknown; error?: string; message?: string };
}

test("a package gets what it both asked for and was granted, never more", async (t) => {
  const ask = await probe(t, { env: ["A", "B"] }, { env: ["A", "C"] }, { env: { A: "a", B: "b", C: "c" } });
  assert.deepEqual(await ask("/env?name=A"), { value: "a" });
  assert.equal((await ask("/env?name=B")).error, "NotCapable");
  assert.equal((await ask("/env?name=C")).error, "NotCapable");
});

test("a grant of \"requested\" grants exactly the request, and no grant grants nothing", async (t) => {
  const asked = await probe(t, { env: ["A"] }, "requested", { env: { A: "a" } });
  assert.deepEqual(await asked("/env?name=A"), { value: "a" });
  const none = await probe(t, { env: ["A"] }, undefined, { env: { A: "a" } });
  assert.equal((await none("/env?name=A")).error, "NotCapable");
});

test("the deny form wins over an allow, for files", async (t) => {
  const ask = await probe(t, { read: { allow: true, deny: ["./secret"] } }, "requested", {
    files: { "public/a.txt": "public", "secret/b.txt": "secret" },
  });
  assert.deepEqual(await ask("/read?path=./public/a.txt"), { value: "public" });
  const refused = await ask("/read?path=./secret/b.txt");
  assert.equal(refused.error, "NotCapable");
  assert.equal(refused.message, 'Requires read access to "./secret/b.txt", run again with the --allow-read flag');
});

test("a grant naming a loopback address reaches it; the same port by name does not", async (t) => {
  const echo = await useEchoServer(t);
  const port = echo.host.split(":")[1]!;
  const byAddress = await probe(t, { net: [echo.host] }, "requested");
  assert.deepEqual(await byAddress(`/fetch?url=${encodeURIComponent(`${echo.url}/hello`)}`), { value: "hello " });
  const byName = await probe(t, { net: [`localhost:${port}`] }, "requested");
  const refused = await byName(`/fetch?url=${encodeURIComponent(`http://localhost:${port}/hello`)}`);
  assert.equal(refused.error, "NotCapable", JSON.stringify(refused));
  assert.equal(echo.hits.get("/hello"), 1);
});

test("fetch bodies are bounded: a response over 32 MiB errors, a request over 16 MiB is refused", async (t) => {
  const echo = await useEchoServer(t);
  const ask = await probe(t, { net: [echo.host] }, "requested");
  const small = await ask(`/count?url=${encodeURIComponent(`${echo.url}/big?bytes=${1024 * 1024}`)}`);
  assert.deepEqual(small, { value: 1024 * 1024 });
  const big = await ask(`/count?url=${encodeURIComponent(`${echo.url}/big?bytes=${33 * 1024 * 1024}`)}`);
  assert.equal(big.error, "TypeError", JSON.stringify(big));
  assert.match(big.message!, /larger than the host's limit of 33554432 bytes/);
  const upload = await ask(`/upload?bytes=${17 * 1024 * 1024}&url=${encodeURIComponent(`${echo.url}/echo`)}`);
  assert.equal(upload.error, "TypeError");
  assert.match(upload.message!, /larger than the host's limit/);
  assert.equal(echo.hits.get("/echo"), undefined);
});

test("reading a file through a link that stays inside the package is allowed", async (t) => {
  const testHost = await useHost(t);
  const pkg = await addPackage(t, testHost, "links", {
    manifest: { permissions: { default: { read: true } } },
    files: { "mod.ts": PROBE.replace("probe", "links"), "assets/real.txt": "real" },
    grant: "requested",
  });
  const { symlink } = await import("node:fs/promises");
  await mkdir(path.join(pkg.root, "more"), { recursive: true });
  await symlink(path.join(pkg.root, "assets/real.txt"), path.join(pkg.root, "more/link.txt"));
  await writeFile(path.join(pkg.root, "more/plain.txt"), "plain");
  assert.deepEqual(JSON.parse((await pkg.call("/read?path=./more/link.txt")).text), { value: "real" });
  assert.deepEqual(JSON.parse((await pkg.call("/read?path=more/plain.txt")).text), { value: "plain" });
});

test("response bodies nobody reads do not use up a package's fetches", async (t) => {
  const echo = await useEchoServer(t);
  const ask = await probe(t, { net: [echo.host] }, "requested");
  assert.deepEqual(await ask(`/unread?url=${encodeURIComponent(`${echo.url}/big?bytes=${1024 * 1024}`)}`), { value: 40 });
  assert.deepEqual(await ask(`/fetch?url=${encodeURIComponent(`${echo.url}/hello`)}`), { value: "hello " });
});
