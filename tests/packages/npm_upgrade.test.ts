// Upgrade re-resolves npm dependencies within their ranges: a new version is a
// change (the usual swap), the same versions are `up_to_date`, and a failing new version rolls back.

import assert from "node:assert/strict";
import { test } from "node:test";
import { useFakeNpm } from "../helpers/registries/fake_npm.ts";
import { addAndStart, pkgText, useNpmHost } from "../helpers/registries/npm_host.ts";
import { writePackage } from "../helpers/package_fixture.ts";
import { useTmp } from "../helpers/use_tmp.ts";

const APP = {
  manifest: { name: "@me/app", imports: { greet: "npm:greet@^1" } },
  files: { "mod.ts": 'import { greet } from "greet";\nexport default { fetch: () => new Response(greet()) };\n' },
};

test("upgrade picks a new dependency version within the range, and is up to date after", async (t) => {
  const npm = await useFakeNpm(t);
  await npm.publish("greet", "1.0.0", { files: { "index.js": 'export const greet = () => "one";\n' }, manifest: { type: "module" } });
  const host = await useNpmHost(t, npm);
  await addAndStart(host, await writePackage(await useTmp(t), "app", APP));
  const same = await host.json("POST", "/v1/packages/@me/app/upgrade");
  assert.equal(same.status, 200, JSON.stringify(same.body));
  assert.equal(same.body.upgrade.status, "up_to_date");
  await npm.publish("greet", "1.1.0", { files: { "index.js": 'export const greet = () => "one point one";\n' }, manifest: { type: "module" } });
  await npm.publish("greet", "2.0.0", { files: { "index.js": 'export const greet = () => "two";\n' }, manifest: { type: "module" } });
  const upgraded = await host.json("POST", "/v1/packages/@me/app/upgrade");
  assert.equal(upgraded.status, 200, JSON.stringify(upgraded.body));
  assert.equal(upgraded.body.upgrade.status, "upgraded");
  assert.deepEqual(await pkgText(host, "@me/app"), { status: 200, text: "one point one" });
  const info = await host.json("GET", "/v1/packages/@me/app");
  assert.deepEqual(info.body.resolved.map((r: { version: string }) => r.version), ["1.1.0"]);
  assert.equal((await host.json("POST", "/v1/packages/@me/app/upgrade")).body.upgrade.status, "up_to_date");
});

test("a new dependency version that fails to start is rolled back to the old one", async (t) => {
  const npm = await useFakeNpm(t);
  await npm.publish("greet", "1.0.0", { files: { "index.js": 'export const greet = () => "one";\n' }, manifest: { type: "module" } });
  const host = await useNpmHost(t, npm);
  await addAndStart(host, await writePackage(await useTmp(t), "app", { ...APP, files: { "mod.ts": 'import { greet } from "greet";\nconst text = greet();\nexport default { fetch: () => new Response(text) };\n' } }));
  await npm.publish("greet", "1.2.0", { files: { "index.js": 'export const greet = () => { throw new Error("broken"); };\n' }, manifest: { type: "module" } });
  const upgraded = await host.json("POST", "/v1/packages/@me/app/upgrade");
  assert.equal(upgraded.body.error?.code, "upgrade_failed", JSON.stringify(upgraded.body));
  assert.equal(upgraded.body.error.details?.rolledBack ?? upgraded.body.error.rolledBack, true);
  assert.deepEqual(await pkgText(host, "@me/app"), { status: 200, text: "one" });
  const info = await host.json("GET", "/v1/packages/@me/app");
  assert.deepEqual(info.body.resolved.map((r: { version: string }) => r.version), ["1.0.0"]);
});
