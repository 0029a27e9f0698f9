// A package that tries to get out of its isolate: Node, the host's
// environment, files outside its folders, links, and the host's network.
// Each attempt is refused with the error Deno gives (NotCapable), and the
// host and other packages go on.

import assert from "node:assert/strict";
import { symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { addPackage } from "../helpers/add_package.ts";
import { useEchoServer } from "../helpers/echo_server.ts";
import { useHost, useServer } from "../helpers/use_host.ts";
import { useTmp } from "../helpers/use_tmp.ts";

/** A package whose fetch runs the attempt named by the path and answers what happened. */
const ATTEMPTS = `
const attempts: Record<string, (q: URLSearchParams) => unknown> = {
  require: () => (globalThis as any).require("node:fs"),
  requireCall: () => new Function("return require('fs')")(),
  process: () => process.env,
  processViaFunction: () => (globalThis.constructor as any).constructor("return process")(),
  buffer: () => Buffer.from("x"),
  dynamicImport: (q) => import(q.get("spec")!),
  read: (q) => Deno.readTextFile(q.get("path")!),
  write: (q) => Deno.writeTextFile(q.get("path")!, "x"),
  env: (q) => Deno.env.get(q.get("name")!),
  envAll: () => Deno.env.toObject(),
  fetch: async (q) => (await fetch(q.get("url")!)).status,
  exit: () => (Deno as any).exit(1),
  command: () => new (Deno as any).Command("ls"),
};
export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    try {
      const value = await attempts[url.pathname.slice(1)]!(url.searchParams);
      return Response.json({ ok: true, value: value ?? null });
    } catch (error) {
      return Response.json({ ok: false, name: (error as Error).name, message: (error as Error).message });
    }
  },
};
`;

async function hostileHost(t: Parameters<typeof useHost>[0], grant: unknown, env: Record<string, string> = {}) {
  const testHost = await useHost(t);
  // The manifest asks for exactly what is granted, so the grant is what takes effect.
  const manifest = { permissions: { default: grant } };
  const pkg = await addPackage(t, testHost, "hostile", { manifest, files: { "mod.ts": ATTEMPTS }, grant, env });
  const attempt = async (pathAndQuery: string) => {
    const answer = await pkg.call(pathAndQuery);
    assert.equal(answer.status, 200, answer.text);
    return JSON.parse(answer.text) as { ok: boolean; name?: string; message?: string; value?: unknown };
  };
  return { testHost, pkg, attempt };
}

test("nothing of Node is reachable: require, process, Buffer, the Function constructor", async (t) => {
  const { attempt } = await hostileHost(t, {});
  for (const name of ["require", "requireCall", "process", "processViaFunction", "buffer"]) {
    const result = await attempt(`/${name}`);
    assert.equal(result.ok, false, `${name} succeeded: ${JSON.stringify(result)}`);
    assert.match(`${result.name}: ${result.message}`, /^(ReferenceError: \w+ is not defined|TypeError: .*not a function)/, name);
  }
});

test("Deno.exit and Deno.Command do not exist inside an isolate", async (t) => {
  const { attempt } = await hostileHost(t, {});
  assert.equal((await attempt("/exit")).name, "TypeError");
  assert.equal((await attempt("/command")).name, "TypeError");
});

test("a computed import of node:fs is refused inside the isolate", async (t) => {
  const { attempt } = await hostileHost(t, {});
  for (const spec of ["node:fs", "fs", "npm:lodash", "./mod.ts", "data:text/javascript,export default 1"]) {
    const result = await attempt(`/dynamicImport?spec=${encodeURIComponent(spec)}`);
    assert.equal(result.ok, false, `import("${spec}") succeeded`);
  }
});

test("an import of node:fs written in the module is refused at add, naming the import", async (t) => {
  const testHost = await useHost(t);
  const dir = await useTmp(t);
  const { writePackage } = await import("../helpers/package_fixture.ts");
  const root = await writePackage(dir, "nodefs", { files: { "mod.ts": 'export default { fetch: async () => new Response(String(await import("node:fs"))) };' } });
  const added = await testHost.json("POST", "/v1/packages", { body: { path: root } });
  assert.equal(added.status, 422);
  assert.equal(added.body.error.code, "invalid_package");
  assert.match(added.body.error.message, /import "node:fs"/);
  assert.deepEqual((await testHost.json("GET", "/v1/packages")).body.items, []);
});

test("files outside the package root and data folder are refused with NotCapable even with read and write granted", async (t) => {
  const { attempt } = await hostileHost(t, { read: true, write: true });
  for (const target of ["../../../../etc/passwd", "/etc/passwd", "../", "./data/../../x", "/proc/self/environ"]) {
    const result = await attempt(`/read?path=${encodeURIComponent(target)}`);
    assert.equal(result.name, "NotCapable", `read ${target}: ${JSON.stringify(result)}`);
    assert.match(result.message!, /^Requires read access to/);
  }
  for (const target of ["./mod.ts", "./deno.json", "/tmp/isopod-escape", "./data/../mod.ts"]) {
    const result = await attempt(`/write?path=${encodeURIComponent(target)}`);
    assert.equal(result.name, "NotCapable", `write ${target}: ${JSON.stringify(result)}`);
  }
  assert.deepEqual(await attempt(`/write?path=${encodeURIComponent("./data/inside.txt")}`), { ok: true, value: null });
});

test("a link in ./data that points out of it is refused for reads and writes", async (t) => {
  const outside = await useTmp(t, "isopod-outside-");
  await writeFile(path.join(outside, "secret.txt"), "host secret");
  const { testHost, attempt } = await hostileHost(t, { read: true, write: true });
  const dataDir = testHost.host.layout.dataDir("hostile");
  await symlink(path.join(outside, "secret.txt"), path.join(dataDir, "file-link"));
  await symlink(outside, path.join(dataDir, "dir-link"));
  await symlink("/etc/passwd", path.join(dataDir, "passwd"));
  for (const target of ["./data/file-link", "./data/dir-link/secret.txt", "./data/passwd"]) {
    const read = await attempt(`/read?path=${encodeURIComponent(target)}`);
    assert.equal(read.name, "NotCapable", `read ${target}: ${JSON.stringify(read)}`);
    const write = await attempt(`/write?path=${encodeURIComponent(target)}`);
    assert.equal(write.name, "NotCapable", `write ${target}: ${JSON.stringify(write)}`);
  }
  const { readFile } = await import("node:fs/promises");
  assert.equal(await readFile(path.join(outside, "secret.txt"), "utf8"), "host secret");
});

test("Deno.env is the package's own environment: ungranted names are NotCapable, the host's are never there", async (t) => {
  process.env.ISOPOD_TEST_HOST_SECRET = "host only";
  t.after(() => delete process.env.ISOPOD_TEST_HOST_SECRET);
  const { attempt } = await hostileHost(t, { env: ["GRANTED", "ISOPOD_TEST_HOST_SECRET"] }, { GRANTED: "yes", OTHER: "no" });
  assert.deepEqual(await attempt("/env?name=GRANTED"), { ok: true, value: "yes" });
  const other = await attempt("/env?name=OTHER");
  assert.equal(other.name, "NotCapable");
  assert.equal(other.message, 'Requires env access to "OTHER", run again with the --allow-env flag');
  assert.deepEqual(await attempt("/env?name=ISOPOD_TEST_HOST_SECRET"), { ok: true, value: null });
  assert.equal((await attempt("/env?name=ISOPOD_ADMIN_TOKEN")).name, "NotCapable");
  assert.equal((await attempt("/envAll")).name, "NotCapable");
});

test("with env: true the package sees its own variables and none of the host's", async (t) => {
  const { attempt } = await hostileHost(t, { env: true }, { MINE: "1" });
  assert.deepEqual(await attempt("/envAll"), { ok: true, value: { MINE: "1" } });
  assert.deepEqual(await attempt("/env?name=PATH"), { ok: true, value: null });
});

test("fetch never reaches loopback, in any spelling, nor the admin API, even with net: true", async (t) => {
  const echo = await useEchoServer(t);
  const { testHost, attempt } = await hostileHost(t, { net: true });
  const server = await useServer(t, testHost);
  const port = echo.host.split(":")[1];
  const targets = [
    `http://127.0.0.1:${port}/hello`,
    `http://localhost:${port}/hello`,
    `http://127.1:${port}/hello`,
    `http://0x7f000001:${port}/hello`,
    `http://2130706433:${port}/hello`,
    `http://[::ffff:127.0.0.1]:${port}/hello`,
    `http://[::1]:${port}/hello`,
    `http://0.0.0.0:${port}/hello`,
    `${server.url}/v1/packages`,
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/",
  ];
  for (const target of targets) {
    const result = await attempt(`/fetch?url=${encodeURIComponent(target)}`);
    assert.equal(result.name, "NotCapable", `fetch ${target}: ${JSON.stringify(result)}`);
    assert.match(result.message!, /^Requires net access to/);
  }
  assert.equal(echo.hits.size, 0, "a refused fetch reached the server");
});

test("a granted host that redirects to a denied one is refused at the redirect", async (t) => {
  const denied = await useEchoServer(t);
  const allowed = await useEchoServer(t, { redirectTo: `${denied.url}/hello` });
  const { attempt } = await hostileHost(t, { net: [allowed.host] });
  assert.deepEqual(await attempt(`/fetch?url=${encodeURIComponent(`${allowed.url}/hello`)}`), { ok: true, value: 200 });
  const result = await attempt(`/fetch?url=${encodeURIComponent(`${allowed.url}/away`)}`);
  assert.equal(result.name, "NotCapable", JSON.stringify(result));
  assert.equal(allowed.hits.get("/away"), 1);
  assert.equal(denied.hits.size, 0, "the redirect reached the denied server");
});

test("the host and other packages are unaffected by a hostile package", async (t) => {
  const { testHost, attempt } = await hostileHost(t, { net: true, read: true, env: true });
  const hello = await testHost.json("POST", "/v1/packages", { body: { path: "packages/hello", start: true } });
  assert.equal(hello.status, 200);
  for (const name of ["process", "require", "processViaFunction"]) await attempt(`/${name}`);
  await attempt(`/read?path=${encodeURIComponent("/etc/passwd")}`);
  await attempt(`/fetch?url=${encodeURIComponent("http://127.0.0.1:1/")}`);
  const answer = await testHost.request("GET", "/pkg/@isopod/hello/?name=after", { token: null });
  assert.deepEqual(await answer.json(), { message: "Hello, after!", path: "/" });
  const health = await testHost.json("GET", "/healthz", { token: null });
  assert.equal(health.body.running, 2);
  assert.equal((await testHost.json("GET", "/v1/packages/hostile")).body.state, "running");
});
