// The example packages in packages/: each adds, starts and answers on a host
// as the README says, and the plain Deno programs answer as real Deno answers them.

import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { denoServe } from "../helpers/clients/deno_serve.ts";
import { ROOT } from "../helpers/paths.ts";
import { useFakeNpm } from "../helpers/registries/fake_npm.ts";
import { useNpmHost } from "../helpers/registries/npm_host.ts";
import { useHost, type TestHost } from "../helpers/use_host.ts";
import { useTmp } from "../helpers/use_tmp.ts";

const example = (name: string): string => path.join(ROOT, "packages", name);

async function added(h: TestHost, name: string, start = true): Promise<void> {
  const answer = await h.json("POST", "/v1/packages", { body: { path: example(name), start } });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
}

function uploadForm(): FormData {
  const form = new FormData();
  form.append("title", "a report");
  form.append("file", new File(["line one\nline two\n"], "report.txt", { type: "text/plain" }));
  form.append("file", new File([new Uint8Array([0, 1, 2, 255])], "bytes.bin", { type: "application/octet-stream" }));
  return form;
}

test("serve and upload answer on isopod as under real Deno", async (t) => {
  const tmp = await useTmp(t, "isopod-examples-");
  const serve = await denoServe(t, example("serve"), { entry: "main.ts", run: true, env: { DENO_DIR: path.join(tmp, "deno") } });
  const upload = await denoServe(t, example("upload"), { env: { DENO_DIR: path.join(tmp, "deno") } });
  const h = await useHost(t);
  await added(h, "serve");
  await added(h, "upload");
  for (const pathname of ["/", "/health", "/a/b?c=d"]) {
    const expected = await fetch(`${serve.url}${pathname}`);
    const actual = await h.request("GET", `/pkg/@isopod/serve${pathname}`, { token: null });
    assert.equal(actual.status, expected.status, pathname);
    assert.equal(await actual.text(), await expected.text(), pathname);
  }
  const expected = await fetch(`${upload.url}/`, { method: "POST", body: uploadForm() });
  // The same form, encoded by Node's fetch, sent through the whole app.
  const encoded = new Request("http://form.test/", { method: "POST", body: uploadForm() });
  const headers = { "content-type": encoded.headers.get("content-type")! };
  const actual = await h.request("POST", "/pkg/@isopod/upload/", { body: new Uint8Array(await encoded.arrayBuffer()), token: null, headers });
  assert.equal(actual.status, 200);
  const answer = (await actual.json()) as { parts: unknown[] };
  assert.deepEqual(answer, await expected.json());
  assert.equal(answer.parts.length, 3);
});

test("visits counts through kv-store's registry resource, which starts first", async (t) => {
  const h = await useHost(t);
  await added(h, "kv-store", false);
  await added(h, "visits");
  const store = await h.json("GET", "/v1/packages/@isopod/kv-store");
  assert.equal(store.body.state, "running", "a dependency starts before what needs it");
  for (const visits of [1, 2]) {
    const answer = await h.request("GET", "/pkg/@isopod/visits/home", { token: null });
    assert.deepEqual(await answer.json(), { path: "/home", visits });
  }
  const counters = await h.request("GET", "/pkg/@isopod/kv-store/", { token: null });
  assert.deepEqual(await counters.json(), { "/home": 2 });
});

test("hono-app resolves hono from the npm registry and answers as the Hono docs say", async (t) => {
  const npm = await useFakeNpm(t);
  await npm.publish("hono", "4.13.19", { folder: path.join(ROOT, "node_modules/hono") });
  const h = await useNpmHost(t, npm);
  await added(h, "hono-app");
  const home = await h.request("GET", "/pkg/@isopod/hono-app/", { token: null });
  assert.equal(await home.text(), "Hello Hono!");
  const json = await h.request("GET", "/pkg/@isopod/hono-app/json/isopod", { token: null });
  assert.deepEqual(await json.json(), { hello: "isopod" });
});
