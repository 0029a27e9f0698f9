// The install's isolate: kept for the start that follows it in the same add
// (one isolate, the module evaluated once), ended whenever no start takes it.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertApiError } from "../helpers/assertions.ts";
import { writePackage } from "../helpers/package_fixture.ts";
import { useHost, type TestHost } from "../helpers/use_host.ts";
import { useTmp } from "../helpers/use_tmp.ts";

/** Logs its evaluation and each hook; `start` tells whether `install` ran in the same isolate. */
const TRACER = `
console.log("evaluated");
export default {
  install() { globalThis.installedHere = true; console.log("install"); },
  start() { console.log("start, installed here: " + (globalThis.installedHere === true)); },
};
`;

async function live(h: TestHost, name: string): Promise<number> {
  return (await h.host.sandbox.stats()).filter((isolate) => isolate.packageName === name).length;
}

function lines(h: TestHost, name: string): string[] {
  return h.host.logs.tail(name, 20).map((entry) => entry.message);
}

describe("the install's isolate", () => {
  test("an add that starts runs install and start in one isolate, the module evaluated once", async (t) => {
    const h = await useHost(t);
    const root = await writePackage(await useTmp(t), "traced", { files: { "mod.ts": TRACER } });
    const added = await h.json("POST", "/v1/packages", { body: { path: root, start: true } });
    assert.equal(added.body.state, "running", JSON.stringify(added.body));
    assert.deepEqual(lines(h, "traced"), ["evaluated", "install", "start, installed here: true"]);
    assert.equal(await live(h, "traced"), 1);
  });

  test("an add that does not start ends the install's isolate, and a later start loads a fresh one", async (t) => {
    const h = await useHost(t);
    const root = await writePackage(await useTmp(t), "traced", { files: { "mod.ts": TRACER } });
    const added = await h.json("POST", "/v1/packages", { body: { path: root } });
    assert.equal(added.body.state, "installed", JSON.stringify(added.body));
    assert.equal(await live(h, "traced"), 0);
    assert.equal((await h.json("POST", "/v1/packages/traced/start")).body.state, "running");
    assert.deepEqual(lines(h, "traced"), ["evaluated", "install", "evaluated", "start, installed here: false"]);
    assert.equal(await live(h, "traced"), 1);
  });

  test("an add whose start is refused before it takes the install's isolate ends that isolate", async (t) => {
    const h = await useHost(t);
    const dir = await useTmp(t);
    const base = await writePackage(dir, "base", { files: { "mod.ts": `export default { start() { throw new Error("base is down"); } };` } });
    assert.equal((await h.json("POST", "/v1/packages", { body: { path: base } })).status, 200);
    const app = await writePackage(dir, "app", { manifest: { isopod: { dependencies: { base: "^1.0.0" } } }, files: { "mod.ts": TRACER } });
    const added = await h.json("POST", "/v1/packages", { body: { path: app, start: true } });
    assert.notEqual(added.status, 200, JSON.stringify(added.body));
    assert.deepEqual(lines(h, "app"), ["evaluated", "install"]);
    assert.equal(await live(h, "app"), 0);
    assert.equal(await live(h, "base"), 0);
  });

  test("an add whose start hook throws in the install's isolate leaves the package failed and no isolate", async (t) => {
    const h = await useHost(t);
    const mod = `export default { install() {}, start() { throw new TypeError("no config"); } };`;
    const root = await writePackage(await useTmp(t), "broken", { files: { "mod.ts": mod } });
    assertApiError(await h.json("POST", "/v1/packages", { body: { path: root, start: true } }), 422, "start_failed", /TypeError: no config/);
    assert.equal((await h.json("GET", "/v1/packages/broken")).body.state, "failed");
    assert.equal(await live(h, "broken"), 0);
  });
});
