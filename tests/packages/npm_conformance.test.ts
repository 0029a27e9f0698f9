// npm conformance: the real `deno serve -P`, pointed at the same loopback npm
// registry (NPM_CONFIG_REGISTRY, its own DENO_DIR), and isopod answer the same.

import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { denoServe } from "../helpers/clients/deno_serve.ts";
import { runCli } from "../helpers/clients/run_cli.ts";
import { useFakeNpm, type FakeNpm } from "../helpers/registries/fake_npm.ts";
import { addAndStart, useNpmHost } from "../helpers/registries/npm_host.ts";
import { writePackage } from "../helpers/package_fixture.ts";
import { useTmp } from "../helpers/use_tmp.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const HONO = path.join(ROOT, "node_modules/hono");

async function publishFixtures(npm: FakeNpm): Promise<void> {
  await npm.publish("hono", "4.13.19", { folder: HONO });
  await npm.publish("legacy", "0.3.1", { files: { "lib/main.js": 'exports.twice = (x) => x * 2; exports.name = "legacy";\n' }, manifest: { main: "lib/main.js" } });
  await npm.publish("@acme/util", "1.1.0", {
    files: { "index.js": 'export const up = (s) => s.toUpperCase();\n', "extra/shout.js": 'export const shout = (s) => s + "!";\n' },
    manifest: { type: "module", exports: { ".": "./index.js", "./shout": "./extra/shout.js" } },
  });
}

const APPS: Record<string, { manifest: Record<string, unknown>; files: Record<string, string>; paths: string[] }> = {
  "an import-mapped Hono app": {
    manifest: { name: "@me/app", exports: "./main.ts", imports: { hono: "npm:hono@^4" } },
    files: {
      "main.ts": [
        'import { Hono } from "hono";',
        'import { cors } from "hono/cors";',
        "const app = new Hono();",
        'app.use("/api/*", cors());',
        'app.get("/", (c) => c.text("Hello Hono!"));',
        'app.get("/api/:name", (c) => c.json({ hello: c.req.param("name"), q: c.req.query("q") ?? null }));',
        "export default app;",
      ].join("\n"),
    },
    paths: ["/", "/api/isopod?q=1", "/missing"],
  },
  "direct npm: imports with subpaths and a CommonJS dependency": {
    manifest: { name: "@me/direct", exports: "./main.ts" },
    files: {
      "main.ts": [
        'import legacy, { twice } from "npm:legacy@0.3";',
        'import { up } from "npm:@acme/util@^1";',
        'import { shout } from "npm:@acme/util@^1/shout";',
        "export default { fetch: () => new Response(`${shout(up(legacy.name))} ${twice(4)}`) };",
      ].join("\n"),
    },
    paths: ["/"],
  },
};

for (const [title, app] of Object.entries(APPS)) {
  test(`${title} answers in isopod as under deno serve`, async (t) => {
    const npm = await useFakeNpm(t);
    await publishFixtures(npm);
    const tmp = await useTmp(t, "isopod-npm-conformance-");
    const root = await writePackage(tmp, "app", { manifest: app.manifest, files: app.files });
    const deno = await denoServe(t, root, { entry: "main.ts", env: { NPM_CONFIG_REGISTRY: `${npm.url}/`, DENO_DIR: path.join(tmp, "deno_dir") } });
    const host = await useNpmHost(t, npm);
    await addAndStart(host, root);
    const name = app.manifest.name as string;
    for (const pathname of app.paths) {
      const expected = await fetch(`${deno.url}${pathname}`);
      const actual = await host.request("GET", `/pkg/${name}${pathname}`, { token: null });
      assert.equal(actual.status, expected.status, pathname);
      assert.equal(actual.headers.get("content-type"), expected.headers.get("content-type"), pathname);
      assert.equal(await actual.text(), await expected.text(), pathname);
    }
  });
}

test("isopod init --template hono writes an import-mapped app that adds and answers", async (t) => {
  const npm = await useFakeNpm(t);
  await publishFixtures(npm);
  const dir = path.join(await useTmp(t), "hono-app");
  const run = await runCli(["init", dir, "--template", "hono", "--name", "@me/hono-app"]);
  assert.equal(run.code, 0, run.stderr);
  const host = await useNpmHost(t, npm);
  const added = await addAndStart(host, dir);
  assert.deepEqual(added.resolved.map((r: { name: string }) => r.name), ["hono"]);
  const response = await host.request("GET", "/pkg/@me/hono-app/", { token: null });
  assert.equal(await response.text(), "Hello Hono!");
});
