// deno.lock: a lockfile the real Deno wrote against the loopback registries
// pins JSR and npm versions in isopod too; a registry serving other content than it records is refused.

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { test, type TestContext } from "node:test";
import { denoInstall } from "../helpers/clients/deno_install.ts";
import { useFakeJsr, type FakeJsr } from "../helpers/registries/fake_jsr.ts";
import { useFakeNpm, type FakeNpm } from "../helpers/registries/fake_npm.ts";
import { publishJsrFixtures } from "../helpers/registries/jsr_fixtures.ts";
import { addAndStart, pkgText, useNpmHost } from "../helpers/registries/npm_host.ts";
import { writePackage } from "../helpers/package_fixture.ts";
import { useTmp } from "../helpers/use_tmp.ts";

const APP = {
  manifest: { name: "@me/locked", exports: "./main.ts", imports: { "@acme/greet": "jsr:@acme/greet@^1" } },
  files: { "main.ts": 'import { greet } from "@acme/greet";\nexport default { fetch: () => new Response(greet("lock")) };\n' },
};

/** The app, with the deno.lock Deno writes for it; returns its folder. */
async function lockedApp(t: TestContext, jsr: FakeJsr, npm: FakeNpm): Promise<string> {
  const tmp = await useTmp(t, "isopod-jsr-lock-");
  const root = await writePackage(tmp, "app", APP);
  await denoInstall(root, "main.ts", { JSR_URL: jsr.url, NPM_CONFIG_REGISTRY: `${npm.url}/`, DENO_DIR: path.join(tmp, "deno_dir") });
  return root;
}

test("a deno.lock written by Deno pins JSR and npm versions older than the newest in range", async (t) => {
  const [jsr, npm] = [await useFakeJsr(t), await useFakeNpm(t)];
  await publishJsrFixtures(jsr, npm);
  const root = await lockedApp(t, jsr, npm);
  const lock = JSON.parse(await readFile(path.join(root, "deno.lock"), "utf8"));
  assert.ok(["4", "5"].includes(lock.version), `deno.lock version ${lock.version}`);
  assert.equal(lock.specifiers["npm:legacy@0.3"], "0.3.1");
  jsr.publish("@acme/base", "1.9.0", { files: { "mod.ts": 'export const base = (s: string): string => `{${s}}`;\n' } });
  await npm.publish("legacy", "0.3.9", { files: { "lib/main.js": "exports.twice = (x) => x * 100;\n" }, manifest: { main: "lib/main.js" } });
  const host = await useNpmHost(t, npm, {}, jsr);
  const added = await addAndStart(host, root);
  assert.deepEqual(added.resolved.map((r: { name: string; version: string }) => `${r.name}@${r.version}`), ["@acme/base@1.2.0", "@acme/greet@1.0.0", "legacy@0.3.1"]);
  assert.deepEqual(await pkgText(host, "@me/locked"), { status: 200, text: "<hi lock 4!>" });
});

test("without a deno.lock the newest versions in range are taken", async (t) => {
  const [jsr, npm] = [await useFakeJsr(t), await useFakeNpm(t)];
  await publishJsrFixtures(jsr, npm);
  jsr.publish("@acme/base", "1.9.0", { files: { "mod.ts": 'export const base = (s: string): string => `{${s}}`;\n' } });
  const host = await useNpmHost(t, npm, {}, jsr);
  await addAndStart(host, await writePackage(await useTmp(t), "app", APP));
  assert.deepEqual(await pkgText(host, "@me/locked"), { status: 200, text: "{hi lock 4!}" });
});

test("a JSR package whose content differs from deno.lock is refused naming it", async (t) => {
  const [jsr, npm] = [await useFakeJsr(t), await useFakeNpm(t)];
  await publishJsrFixtures(jsr, npm);
  const root = await lockedApp(t, jsr, npm);
  jsr.publish("@acme/base", "1.2.0", { files: { "mod.ts": 'export const base = (): string => "swapped";\n' } });
  const host = await useNpmHost(t, npm, {}, jsr);
  const answer = await host.json("POST", "/v1/packages", { body: { path: root } });
  assert.equal(answer.status, 422, JSON.stringify(answer.body));
  assert.match(answer.body.error.message, /deno\.lock records integrity [0-9a-f]{64} for jsr:@acme\/base@1\.2\.0, but the JSR registry http:\/\/127\.0\.0\.1:\d+\/ serves [0-9a-f]{64}/);
  assert.equal((await host.json("GET", "/v1/packages/@me/locked")).status, 404);
});

test("an npm package whose tarball differs from deno.lock is refused naming it", async (t) => {
  const [jsr, npm] = [await useFakeJsr(t), await useFakeNpm(t)];
  await publishJsrFixtures(jsr, npm);
  const root = await lockedApp(t, jsr, npm);
  await npm.publish("legacy", "0.3.1", { files: { "lib/main.js": "exports.twice = () => 0;\n" }, manifest: { main: "lib/main.js" } });
  const host = await useNpmHost(t, npm, {}, jsr);
  const answer = await host.json("POST", "/v1/packages", { body: { path: root } });
  assert.equal(answer.status, 422, JSON.stringify(answer.body));
  assert.match(answer.body.error.message, /deno\.lock records integrity sha512-\S+ for npm:legacy@0\.3\.1, but the npm registry \S+ serves sha512-/);
});

test("a deno.lock of a version isopod does not read is a 422", async (t) => {
  const [jsr, npm] = [await useFakeJsr(t), await useFakeNpm(t)];
  await publishJsrFixtures(jsr, npm);
  const root = await writePackage(await useTmp(t), "app", { ...APP, files: { ...APP.files, "deno.lock": '{ "version": "2", "remote": {} }' } });
  const host = await useNpmHost(t, npm, {}, jsr);
  const answer = await host.json("POST", "/v1/packages", { body: { path: root } });
  assert.equal(answer.status, 422);
  assert.match(answer.body.error.message, /deno\.lock is version "2"; isopod reads versions "4" and "5"/);
});
