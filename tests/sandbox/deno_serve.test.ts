// Deno.serve and top-level await: the handler a module installs with
// Deno.serve answers at /pkg/{name}/*, and a module that awaits at top level loads.

import assert from "node:assert/strict";
import { test } from "node:test";
import { addPackage } from "../helpers/add_package.ts";
import { writePackage } from "../helpers/package_fixture.ts";
import { useHost } from "../helpers/use_host.ts";
import { useTmp } from "../helpers/use_tmp.ts";

test("Deno.serve(handler) at module top level serves the package's requests", async (t) => {
  const testHost = await useHost(t);
  const code = `
let listened = 0;
const server = Deno.serve({ port: 9, onListen: (addr) => { listened++; } }, (req, info) =>
  new Response(new URL(req.url).pathname + " " + listened + " " + typeof info.remoteAddr.hostname + " " + server.addr.port));
`;
  const pkg = await addPackage(t, testHost, "served", { files: { "mod.ts": code } });
  const answer = await pkg.call("/a/b");
  assert.equal(answer.status, 200, answer.text);
  assert.equal(answer.text, "/a/b 1 string 9");
});

test("Deno.serve({ handler }) inside start() serves, and its signal stops it", async (t) => {
  const testHost = await useHost(t);
  const code = `
const controller = new AbortController();
let finished = false;
export default {
  start() {
    const server = Deno.serve({ handler: (req) => {
      if (new URL(req.url).pathname === "/stop") { controller.abort(); return new Response("stopping"); }
      return new Response("served " + finished);
    }, signal: controller.signal });
    server.finished.then(() => { finished = true; });
  },
};
`;
  const pkg = await addPackage(t, testHost, "started", { files: { "mod.ts": code } });
  assert.equal((await pkg.call("/")).text, "served false");
  assert.equal((await pkg.call("/stop")).text, "stopping");
  const after = await pkg.call("/");
  assert.equal(after.status, 404, after.text);
});

test("a package with both a default fetch and Deno.serve fails to start, naming both", async (t) => {
  const testHost = await useHost(t);
  for (const [name, code] of [
    ["both", `Deno.serve(() => new Response("a")); export default { fetch: () => new Response("b") };`],
    ["twice", `Deno.serve(() => new Response("a")); Deno.serve(() => new Response("b"));`],
    ["instart", `export default { fetch: () => new Response("b"), start() { Deno.serve(() => new Response("a")); } };`],
  ] as const) {
    const dir = await useTmp(t, "isopod-pkg-");
    const root = await writePackage(dir, name, { files: { "mod.ts": code } });
    const added = await testHost.json("POST", "/v1/packages", { body: { path: root, start: true } });
    const text = JSON.stringify(added.body);
    assert.match(text, name === "twice" ? /Deno\.serve was called twice/ : /both a fetch handler in its default export and a Deno\.serve handler/, text);
  }
});

test("top-level await in the entry and in an imported module: the default export is read once both finished", async (t) => {
  const testHost = await useHost(t);
  const files = {
    "mod.ts": `import { value } from "./dep.ts";
await new Promise((resolve) => setTimeout(resolve, 20));
const late = await Promise.resolve("late");
export default { fetch: () => new Response(value + " " + late) };`,
    "dep.ts": `export const value = await new Promise<string>((resolve) => setTimeout(() => resolve("dep"), 30));`,
  };
  const pkg = await addPackage(t, testHost, "awaits", { files });
  const answer = await pkg.call("/");
  assert.equal(answer.text, "dep late");
});

test("a top-level await that rejects after a timer fails the start with its error", async (t) => {
  const testHost = await useHost(t);
  const dir = await useTmp(t, "isopod-pkg-");
  const code = `await new Promise((_, reject) => setTimeout(() => reject(new Error("config missing")), 10)); export default {};`;
  const root = await writePackage(dir, "rejects", { files: { "mod.ts": code } });
  const added = await testHost.json("POST", "/v1/packages", { body: { path: root, start: true } });
  assert.match(JSON.stringify(added.body), /config missing/);
});
