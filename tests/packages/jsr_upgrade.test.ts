// Upgrade re-resolves JSR dependencies within their ranges: a new JSR version
// is a change, the same versions are `up_to_date`, and a failing new version rolls back.

import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { useFakeJsr } from "../helpers/registries/fake_jsr.ts";
import { useFakeNpm } from "../helpers/registries/fake_npm.ts";
import { addAndStart, pkgText, useNpmHost } from "../helpers/registries/npm_host.ts";
import { writePackage } from "../helpers/package_fixture.ts";
import { useTmp } from "../helpers/use_tmp.ts";

const APP = {
  manifest: { name: "@me/app", imports: { "@acme/hi": "jsr:@acme/hi@^1" } },
  files: { "mod.ts": 'import { hi } from "@acme/hi";\nconst text = hi();\nexport default { fetch: () => new Response(text) };\n' },
};
const hi = (body: string) => ({ files: { "mod.ts": `export const hi = (): string => ${body};\n` } });

test("upgrade picks a new JSR version within the range, and is up to date after", async (t) => {
  const jsr = await useFakeJsr(t);
  jsr.publish("@acme/hi", "1.0.0", hi('"one"'));
  const host = await useNpmHost(t, await useFakeNpm(t), {}, jsr);
  await addAndStart(host, await writePackage(await useTmp(t), "app", APP));
  assert.equal((await host.json("POST", "/v1/packages/@me/app/upgrade")).body.upgrade.status, "up_to_date");
  jsr.publish("@acme/hi", "1.1.0", hi('"one point one"'));
  jsr.publish("@acme/hi", "2.0.0", hi('"two"'));
  const upgraded = await host.json("POST", "/v1/packages/@me/app/upgrade");
  assert.equal(upgraded.body.upgrade?.status, "upgraded", JSON.stringify(upgraded.body));
  assert.deepEqual(await pkgText(host, "@me/app"), { status: 200, text: "one point one" });
  const info = await host.json("GET", "/v1/packages/@me/app");
  assert.deepEqual(info.body.resolved.map((r: { name: string; version: string; registry: string }) => [r.name, r.version, r.registry]), [["@acme/hi", "1.1.0", `${jsr.url}/`]]);
  assert.equal((await host.json("POST", "/v1/packages/@me/app/upgrade")).body.upgrade.status, "up_to_date");
});

test("a new JSR version that fails to start is rolled back to the old one", async (t) => {
  const jsr = await useFakeJsr(t);
  jsr.publish("@acme/hi", "1.0.0", hi('"one"'));
  const host = await useNpmHost(t, await useFakeNpm(t), {}, jsr);
  await addAndStart(host, await writePackage(await useTmp(t), "app", APP));
  jsr.publish("@acme/hi", "1.2.0", { files: { "mod.ts": 'export const hi = (): string => { throw new Error("broken"); };\n' } });
  const upgraded = await host.json("POST", "/v1/packages/@me/app/upgrade");
  assert.equal(upgraded.body.error?.code, "upgrade_failed", JSON.stringify(upgraded.body));
  assert.deepEqual(await pkgText(host, "@me/app"), { status: 200, text: "one" });
  const info = await host.json("GET", "/v1/packages/@me/app");
  assert.deepEqual(info.body.resolved.map((r: { version: string }) => r.version), ["1.0.0"]);
});

test("a host restarted offline bundles a JSR dependency again from its cache", async (t) => {
  const jsr = await useFakeJsr(t);
  jsr.publish("@acme/hi", "1.0.0", hi('"cached"'));
  const host = await useNpmHost(t, await useFakeNpm(t), {}, jsr);
  await addAndStart(host, await writePackage(await useTmp(t), "app", APP));
  const rows = host.host.store.db.prepare("SELECT name, version, registry, cache_entry FROM package_resolutions").all() as { cache_entry: string }[];
  assert.equal(rows.length, 1);
  assert.match(rows[0]!.cache_entry, /^jsr\/[0-9a-f]{64}$/);
  await jsr.close();
  assert.equal((await host.json("POST", "/v1/packages/@me/app/stop")).status, 200);
  await rm(path.join(host.dataDir, "cache", "bundles"), { recursive: true, force: true });
  const started = await host.json("POST", "/v1/packages/@me/app/start");
  assert.equal(started.status, 200, JSON.stringify(started.body));
  assert.deepEqual(await pkgText(host, "@me/app"), { status: 200, text: "cached" });
});
