// npm dependencies: resolved at add time from a registry on loopback, verified,
// cached, bundled into one module; CommonJS, exports conditions, diamonds, two versions, scopes.

import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { PackageCache } from "../../runtime/packages/cache/package_cache.ts";
import { pruneCache } from "../../runtime/packages/cache/prune.ts";
import { useFakeNpm } from "../helpers/registries/fake_npm.ts";
import { addAndStart, pkgText, useNpmHost } from "../helpers/registries/npm_host.ts";
import { writePackage } from "../helpers/package_fixture.ts";
import { useTmp } from "../helpers/use_tmp.ts";

const handler = (body: string) => `export default { fetch() { return new Response(${body}); } };\n`;

test("an import-mapped npm package, a CommonJS one and a scoped one bundle and answer", async (t) => {
  const npm = await useFakeNpm(t);
  await npm.publish("greet", "1.2.0", { files: { "index.js": 'export const greet = (n) => "hello " + n;\n' }, manifest: { type: "module", main: "index.js" } });
  await npm.publish("greet", "2.0.0", { files: { "index.js": 'export const greet = () => "v2";\n' }, manifest: { main: "index.js" } });
  await npm.publish("legacy", "0.3.1", { files: { "lib/main.js": 'exports.twice = (x) => x * 2; module.exports.name = "legacy";\n' }, manifest: { main: "lib/main" } });
  await npm.publish("@acme/cond", "1.0.0", {
    files: { "node.js": 'import "node:fs"; export const where = "node";\n', "worker.mjs": 'export const where = "worker";\n', "sub/x.mjs": "export const x = 42;\n" },
    manifest: { exports: { ".": { node: "./node.js", worker: "./worker.mjs", default: "./node.js" }, "./x": "./sub/x.mjs" } },
  });
  const host = await useNpmHost(t, npm);
  const root = await writePackage(await useTmp(t), "app", {
    manifest: { name: "@me/app", imports: { greet: "npm:greet@^1", "@acme/cond": "npm:@acme/cond@1" } },
    files: {
      "mod.ts": [
        'import { greet } from "greet";',
        'import legacy, { twice } from "npm:legacy@~0.3";',
        'import { where } from "@acme/cond";',
        'import { x } from "@acme/cond/x";',
        handler("`${greet(\"deno\")} ${twice(21)} ${legacy.name} ${where} ${x}`"),
      ].join("\n"),
    },
  });
  const added = await addAndStart(host, root);
  assert.deepEqual(
    added.resolved.map((r: { name: string; version: string }) => `${r.name}@${r.version}`),
    ["@acme/cond@1.0.0", "greet@1.2.0", "legacy@0.3.1"],
  );
  assert.match(added.resolved[0].integrity, /^sha512-/);
  assert.equal(added.resolved[0].registry, `${npm.url}/`);
  assert.deepEqual(await pkgText(host, "@me/app"), { status: 200, text: "hello deno 42 legacy worker 42" });
  const cache = await readdir(path.join(host.dataDir, "cache", "npm"));
  assert.equal(cache.length, 3);
});

test("a diamond shares one version and two ranges of one package get two versions", async (t) => {
  const npm = await useFakeNpm(t);
  await npm.publish("base", "1.0.0", { files: { "index.js": 'export const v = "b1";\n' }, manifest: { type: "module" } });
  await npm.publish("base", "1.4.0", { files: { "index.js": 'export const v = "b14";\n' }, manifest: { type: "module" } });
  await npm.publish("base", "2.1.0", { files: { "index.js": 'export const v = "b2";\n' }, manifest: { type: "module" } });
  const dependent = (name: string, range: string) =>
    npm.publish(name, "1.0.0", { files: { "index.js": `import { v } from "base"; export const ${name} = v;\n` }, manifest: { type: "module", dependencies: { base: range } } });
  await dependent("left", "^1.0.0");
  await dependent("right", "~1.4.0");
  await dependent("other", "^2");
  const host = await useNpmHost(t, npm);
  const root = await writePackage(await useTmp(t), "diamond", {
    manifest: { name: "@me/diamond" },
    files: { "mod.ts": 'import { left } from "npm:left@1"; import { right } from "npm:right@1"; import { other } from "npm:other@1";\n' + handler("`${left} ${right} ${other}`") },
  });
  const added = await addAndStart(host, root);
  const versions = added.resolved.map((r: { name: string; version: string }) => `${r.name}@${r.version}`);
  assert.deepEqual(versions, ["base@1.4.0", "base@2.1.0", "left@1.0.0", "other@1.0.0", "right@1.0.0"]);
  assert.deepEqual(await pkgText(host, "@me/diamond"), { status: 200, text: "b14 b14 b2" });
  assert.equal(npm.count(/GET \/base$/), 1, "one packument fetch per name");
});

test("a second add reuses the cache and a restart of the host needs no registry", async (t) => {
  const npm = await useFakeNpm(t);
  await npm.publish("greet", "1.0.0", { files: { "index.js": 'module.exports = () => "hi";\n' } });
  const host = await useNpmHost(t, npm);
  const tmp = await useTmp(t);
  const one = await writePackage(tmp, "one", { manifest: { name: "@me/one" }, files: { "mod.ts": 'import g from "npm:greet";\n' + handler("g()") } });
  const two = await writePackage(tmp, "two", { manifest: { name: "@me/two" }, files: { "mod.ts": 'import g from "npm:greet@1";\n' + handler("g() + 2") } });
  await addAndStart(host, one);
  await addAndStart(host, two);
  assert.equal(npm.count(/\.tgz$/), 1, "the tarball is downloaded once");
  await npm.close();
  await rmBundles(host.dataDir);
  const stopped = await host.json("POST", "/v1/packages/@me/two/stop");
  assert.equal(stopped.status, 200, JSON.stringify(stopped.body));
  const started = await host.json("POST", "/v1/packages/@me/two/start");
  assert.equal(started.status, 200, JSON.stringify(started.body));
  assert.deepEqual(await pkgText(host, "@me/two"), { status: 200, text: "hi2" });
});

async function rmBundles(dataDir: string): Promise<void> {
  const { rm } = await import("node:fs/promises");
  await rm(path.join(dataDir, "cache", "bundles"), { recursive: true, force: true });
}

test("cache entries no installed package uses are pruned past the bound; used ones stay", async (t) => {
  const npm = await useFakeNpm(t);
  await npm.publish("kept", "1.0.0", { files: { "index.js": "export default 1;\n" }, manifest: { type: "module" } });
  await npm.publish("dropped", "1.0.0", { files: { "index.js": "export default 2;\n" }, manifest: { type: "module" } });
  const host = await useNpmHost(t, npm);
  const tmp = await useTmp(t);
  await addAndStart(host, await writePackage(tmp, "a", { manifest: { name: "@me/a" }, files: { "mod.ts": 'import k from "npm:kept@1";\n' + handler("String(k)") } }));
  await addAndStart(host, await writePackage(tmp, "b", { manifest: { name: "@me/b" }, files: { "mod.ts": 'import d from "npm:dropped@1";\n' + handler("String(d)") } }));
  assert.equal((await host.json("DELETE", "/v1/packages/@me/b")).status, 200);
  const cache = new PackageCache(path.join(host.dataDir, "cache"));
  const inUse = host.host.store.packages.cacheEntriesInUse();
  assert.equal(inUse.size, 1);
  assert.equal(await pruneCache(cache, { inUse, maxUnusedBytes: 1_000_000, minAgeMs: 0 }), 0, "within the bound nothing goes");
  assert.equal(await pruneCache(cache, { inUse, maxUnusedBytes: 0, minAgeMs: 0 }), 1);
  assert.deepEqual((await readdir(path.join(host.dataDir, "cache", "npm"))).map((name) => `npm/${name}`), [...inUse]);
  assert.deepEqual(await pkgText(host, "@me/a"), { status: 200, text: "1" });
});
