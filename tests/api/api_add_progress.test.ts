// POST /v1/packages with Accept: application/x-ndjson on a real server: the
// steps of the add as they happen, then the package or the error; a client that leaves breaks nothing.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { assertNothingInstalled } from "../helpers/assertions.ts";
import { useGitHubHost, writeRepo } from "../helpers/registries/github_host.ts";
import { useFakeNpm } from "../helpers/registries/fake_npm.ts";
import { useNpmHost } from "../helpers/registries/npm_host.ts";
import { writePackage } from "../helpers/package_fixture.ts";
import { NDJSON_ACCEPT, stepNames, streamedAdd } from "../helpers/clients/progress_stream.ts";
import { ADMIN_TOKEN, useHost, useServer } from "../helpers/use_host.ts";
import { useTmp } from "../helpers/use_tmp.ts";
import { waitFor } from "../helpers/wait_for.ts";

const SERVE = `export default { fetch() { return new Response("hi"); } };\n`;

test("a streamed add of a path package shows its steps in order and ends with the package", async (t) => {
  const h = await useHost(t);
  const server = await useServer(t, h);
  const root = await writePackage(await useTmp(t), "hello", { files: { "mod.ts": SERVE } });
  const answer = await streamedAdd(server.url, ADMIN_TOKEN, { path: root, start: true });
  assert.equal(answer.status, 200);
  assert.match(answer.contentType, /^application\/x-ndjson/);
  assert.deepEqual(answer.steps, [
    { step: "resolving", source: root },
    { step: "bundling", package: "hello" },
    { step: "installing", package: "hello" },
    { step: "starting", package: "hello" },
  ]);
  assert.equal(answer.last.type, "result");
  assert.equal(answer.last.package.name, "hello");
  assert.equal(answer.last.package.state, "running");
  assert.deepEqual(answer.last.package, (await h.json("GET", "/v1/packages/hello")).body);
});

test("a streamed add from GitHub shows the bytes downloaded and the files extracted", async (t) => {
  const h = await useGitHubHost(t);
  const server = await useServer(t, h);
  // Random text: it does not compress, so the archive is as large as the file.
  const big = `// ${randomBytes(30_000).toString("base64")}\n`;
  const folder = await writeRepo(t, { "": { name: "@acme/big", files: { "mod.ts": SERVE, "pad.ts": big } } });
  h.github.repo("acme/big").commit({ folder }, "main");
  const answer = await streamedAdd(server.url, ADMIN_TOKEN, { git_url: "https://github.com/acme/big" });
  assert.equal(answer.last.type, "result", JSON.stringify(answer.last));
  assert.deepEqual(stepNames(answer.steps), ["resolving", "downloading", "extracting", "bundling", "installing"]);
  const downloads = answer.steps.filter((s) => s.step === "downloading");
  assert.equal(downloads[0].bytes, 0);
  const last = downloads.at(-1);
  assert.ok(last.bytes > 30_000, `downloaded ${last.bytes} bytes`);
  if (last.total !== undefined) assert.equal(last.bytes, last.total);
  const extracted = answer.steps.find((s) => s.step === "extracting");
  assert.equal(extracted.files, 3);
  assert.ok(extracted.bytes > big.length, `extracted ${extracted.bytes} bytes`);
});

test("a streamed add with npm imports shows the dependencies resolved, packages and bytes", async (t) => {
  const npm = await useFakeNpm(t);
  await npm.publish("leaf", "1.0.0", { files: { "index.js": "export const leaf = 1;\n" }, manifest: { type: "module", main: "index.js" } });
  await npm.publish("greet", "1.2.0", {
    files: { "index.js": 'import { leaf } from "leaf"; export const greet = (n) => "hello " + n + leaf;\n' },
    manifest: { type: "module", main: "index.js", dependencies: { leaf: "^1" } },
  });
  const h = await useNpmHost(t, npm);
  const server = await useServer(t, h);
  const root = await writePackage(await useTmp(t), "app", {
    manifest: { name: "@me/app", imports: { greet: "npm:greet@^1" } },
    files: { "mod.ts": `import { greet } from "greet";\nexport default { fetch() { return new Response(greet("x")); } };\n` },
  });
  const answer = await streamedAdd(server.url, ADMIN_TOKEN, { path: root });
  assert.equal(answer.last.type, "result", JSON.stringify(answer.last));
  assert.deepEqual(stepNames(answer.steps), ["resolving", "dependencies", "bundling", "installing"]);
  const counts = answer.steps.filter((s) => s.step === "dependencies");
  assert.deepEqual(counts.map((c) => c.package), counts.map(() => "@me/app"));
  const final = counts.at(-1);
  assert.equal(final.packages, 2);
  assert.ok(final.bytes > 0, `${final.bytes} bytes`);
});

test("a failed streamed add ends with the error, its code and status, and leaves nothing installed", async (t) => {
  const h = await useHost(t);
  const server = await useServer(t, h);
  const root = await writePackage(await useTmp(t), "broken", {
    files: { "mod.ts": `export default { install() { throw new Error("no database"); } };\n` },
  });
  const answer = await streamedAdd(server.url, ADMIN_TOKEN, { path: root });
  assert.equal(answer.status, 200);
  assert.deepEqual(stepNames(answer.steps), ["resolving", "bundling", "installing"]);
  assert.equal(answer.last.type, "error");
  assert.equal(answer.last.status, 422);
  assert.equal(answer.last.error.code, "install_failed");
  assert.match(answer.last.error.message, /no database/);
  const plain = await h.json("POST", "/v1/packages", { body: { path: root } });
  assert.deepEqual({ status: plain.status, code: plain.body.error.code }, { status: 422, code: "install_failed" });
  await assertNothingInstalled(h);
});

test("a bad body asked for as a stream is refused as before: 400 in JSON, no stream", async (t) => {
  const h = await useHost(t);
  const server = await useServer(t, h);
  const answer = await fetch(`${server.url}/v1/packages`, {
    method: "POST",
    headers: { ...NDJSON_ACCEPT, authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify({ path: "/x", git_url: "https://github.com/a/b" }),
  });
  assert.equal(answer.status, 400);
  assert.match(answer.headers.get("content-type") ?? "", /^application\/json/);
  assert.equal(((await answer.json()) as any).error.code, "bad_request");
});

test("without Accept: application/x-ndjson the add answers the package in JSON, as before", async (t) => {
  const h = await useHost(t);
  const server = await useServer(t, h);
  const root = await writePackage(await useTmp(t), "hello", { files: { "mod.ts": SERVE } });
  const response = await fetch(`${server.url}/v1/packages`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify({ path: root }),
  });
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
  const body = (await response.json()) as any;
  assert.equal(body.name, "hello");
  assert.equal(body.type, undefined);
  assert.deepEqual(body, (await h.json("GET", "/v1/packages/hello")).body);
});

test("a client that leaves mid-stream does not stop the add, nor harm the host", async (t) => {
  const h = await useHost(t);
  const server = await useServer(t, h);
  const slow = `export default { async install() { await new Promise((r) => setTimeout(r, 400)); }, fetch() { return new Response("hi"); } };\n`;
  const root = await writePackage(await useTmp(t), "slow", { files: { "mod.ts": slow } });
  const controller = new AbortController();
  const response = await fetch(`${server.url}/v1/packages`, {
    method: "POST",
    headers: { ...NDJSON_ACCEPT, authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify({ path: root, start: true }),
    signal: controller.signal,
  });
  const reader = response.body!.getReader();
  const first = await reader.read();
  assert.match(new TextDecoder().decode(first.value), /"step":"resolving"/);
  controller.abort();
  await waitFor(() => h.host.store.packages.get("slow")?.state === "running", 10_000);
  assert.equal((await fetch(`${server.url}/pkg/slow/`)).status, 200);
  const again = await streamedAdd(server.url, ADMIN_TOKEN, { path: root });
  assert.equal(again.last.type, "result");
  assert.equal(again.last.package.state, "running");
});
