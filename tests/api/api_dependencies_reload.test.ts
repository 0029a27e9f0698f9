// Reload through the API with dependencies: dependents stopped and started
// again around the swap, new requirements checked against what is installed.

import assert from "node:assert/strict";
import { appendFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { assertApiError } from "../helpers/assertions.ts";
import { addGraph, editManifest, hookEvents, runningNames } from "../helpers/dependency_fixture.ts";
import { writePackage } from "../helpers/package_fixture.ts";
import { useHost } from "../helpers/use_host.ts";
import { useTmp } from "../helpers/use_tmp.ts";

const CHAIN = { base: {}, mid: { deps: { base: "^1.0.0" } }, top: { deps: { mid: "^1.0.0" } } };

describe("reload", () => {
  test("restarts the package and its running dependents, dependents stopped first and started last", async (t) => {
    const h = await useHost(t);
    await addGraph(t, h, { ...CHAIN, idle: { deps: { base: "^1.0.0" } }, solo: {} });
    await h.json("POST", "/v1/batch/start", { body: { names: ["top", "solo"] } });
    const before = hookEvents(h).length;
    const reloaded = await h.json("POST", "/v1/packages/base/reload");
    assert.equal(reloaded.status, 200, JSON.stringify(reloaded.body));
    assert.equal(reloaded.body.state, "running");
    assert.deepEqual(hookEvents(h).slice(before), ["stop top", "stop mid", "stop base", "start base", "start mid", "start top"]);
    assert.deepEqual(await runningNames(h), ["base", "mid", "solo", "top"]);
    const desired = (await h.json("GET", "/v1/packages")).body.items.map((p: any) => [p.name, p.desiredState]);
    assert.deepEqual(desired, [["base", "running"], ["idle", "stopped"], ["mid", "running"], ["solo", "running"], ["top", "running"]]);
  });

  test("picks up edits of a path package and accepts them as its new integrity", async (t) => {
    const h = await useHost(t);
    const roots = await addGraph(t, h, { base: {}, app: { deps: { base: "^1.0.0" } } });
    await h.json("POST", "/v1/packages/app/start");
    const before = (await h.json("GET", "/v1/packages/base")).body.integrity;
    await appendFile(path.join(roots.base!, "mod.ts"), `console.log("edited");\n`);
    await editManifest(roots.base!, (m) => (m.version = "1.1.0"));
    const batch = await h.json("POST", "/v1/batch/reload", { body: { names: ["base"] } });
    assert.deepEqual(batch.body.results.map((r: any) => [r.name, r.ok, r.requested]), [["base", true, true], ["app", true, false]]);
    const base = (await h.json("GET", "/v1/packages/base")).body;
    assert.equal(base.version, "1.1.0");
    assert.notEqual(base.integrity, before);
    assert.equal(base.state, "running");
  });

  test("a package that failed its integrity check starts again after a reload", async (t) => {
    const h = await useHost(t);
    const roots = await addGraph(t, h, { base: {} });
    await h.json("POST", "/v1/packages/base/start");
    await h.json("POST", "/v1/packages/base/stop");
    await appendFile(path.join(roots.base!, "mod.ts"), "// edited\n");
    assertApiError(await h.json("POST", "/v1/packages/base/start"), 422, "integrity_failed", /integrity verification failed/);
    const reloaded = await h.json("POST", "/v1/packages/base/reload");
    assert.equal(reloaded.body.state, "installed");
    assert.equal(reloaded.body.error, null);
    assert.equal((await h.json("POST", "/v1/packages/base/start")).body.state, "running");
  });

  test("a new permission request stays capped by the earlier grant", async (t) => {
    const h = await useHost(t);
    const root = await writePackage(await useTmp(t), "perm", { manifest: { permissions: { default: { env: ["A"] } } } });
    await h.json("POST", "/v1/packages", { body: { path: root, grant: "requested" } });
    await editManifest(root, (m) => (m.permissions.default = { env: ["A", "B"], read: true }));
    const reloaded = await h.json("POST", "/v1/packages/perm/reload");
    assert.deepEqual(reloaded.body.permissions.requested.env.allow, ["A", "B"]);
    assert.equal(reloaded.body.permissions.requested.read.allow, true);
    assert.deepEqual(reloaded.body.permissions.granted.env.allow, ["A"]);
    assert.deepEqual(reloaded.body.permissions.granted.read.allow, []);
  });

  test("an edit that would form a cycle is refused with the cycle named, and nothing changes", async (t) => {
    const h = await useHost(t);
    const roots = await addGraph(t, h, { "@a/x": {}, "@a/y": { deps: { "@a/x": "^1.0.0" } } });
    await h.json("POST", "/v1/packages/@a/y/start");
    await editManifest(roots["@a/x"]!, (m) => (m.isopod.dependencies = { "@a/y": "^1.0.0" }));
    const before = (await h.json("GET", "/v1/packages/@a/x")).body;
    const events = hookEvents(h).length;
    const reloaded = await h.json("POST", "/v1/packages/@a/x/reload");
    assertApiError(reloaded, 409, "dependency_cycle", /^cannot reload "@a\/x": its dependencies would form the cycle @a\/x -> @a\/y -> @a\/x$/);
    assert.deepEqual(reloaded.body.error.cycle, ["@a/x", "@a/y", "@a/x"]);
    assert.deepEqual((await h.json("GET", "/v1/packages/@a/x")).body, before);
    assert.equal(hookEvents(h).length, events, "nothing was stopped or started");
    assert.deepEqual(await runningNames(h), ["@a/x", "@a/y"]);
  });

  test("a cycle inside a larger batch: its members are refused with the cycle named, the rest reload", async (t) => {
    const h = await useHost(t);
    const roots = await addGraph(t, h, { "@a/x": {}, "@a/y": {}, base: {}, app: { deps: { base: "^1.0.0" } }, solo: {} });
    await h.json("POST", "/v1/batch/start", { body: { names: ["@a/x", "@a/y", "app", "solo"] } });
    await editManifest(roots["@a/x"]!, (m) => (m.isopod.dependencies = { "@a/y": "^1.0.0" }));
    await editManifest(roots["@a/y"]!, (m) => (m.isopod.dependencies = { "@a/x": "^1.0.0" }));
    await editManifest(roots.solo!, (m) => (m.version = "1.0.1"));
    const reloaded = await h.json("POST", "/v1/batch/reload", { body: { names: ["base", "@a/x", "solo", "@a/y"] } });
    assert.equal(reloaded.status, 200);
    const results = new Map(reloaded.body.results.map((r: any) => [r.name, r]));
    for (const member of ["@a/x", "@a/y"]) {
      const result = results.get(member) as any;
      assert.equal(result.ok, false);
      assert.equal(result.error.code, "dependency_cycle");
      assert.match(result.error.message, new RegExp(`^cannot reload "${member}": .*cycle @a/x -> @a/y -> @a/x$`));
      assert.equal(result.state, "running", "a refused package keeps running on its old files");
    }
    for (const name of ["base", "solo", "app"]) assert.equal((results.get(name) as any).ok, true, name);
    assert.equal((await h.json("GET", "/v1/packages/solo")).body.version, "1.0.1");
    assert.deepEqual((await h.json("GET", "/v1/packages/@a/x")).body.dependencies, {});
  });

  test("a new version outside what a dependent requires is refused, and the package keeps running", async (t) => {
    const h = await useHost(t);
    const roots = await addGraph(t, h, { base: {}, app: { deps: { base: "^1.0.0" } } });
    await h.json("POST", "/v1/packages/app/start");
    await editManifest(roots.base!, (m) => (m.version = "2.0.0"));
    const reloaded = await h.json("POST", "/v1/packages/base/reload");
    assertApiError(reloaded, 409, "conflict", /^cannot reload "base": its new version 2\.0\.0 is outside what its dependents require: "app" requires \^1\.0\.0$/);
    const base = (await h.json("GET", "/v1/packages/base")).body;
    assert.equal(base.version, "1.0.0");
    assert.equal(base.state, "running");
  });

  test("a base and its dependent bumped together in one batch are accepted together", async (t) => {
    const h = await useHost(t);
    const roots = await addGraph(t, h, { base: {}, app: { deps: { base: "^1.0.0" } } });
    await h.json("POST", "/v1/packages/app/start");
    await editManifest(roots.base!, (m) => (m.version = "2.0.0"));
    await editManifest(roots.app!, (m) => (m.isopod.dependencies = { base: "^2.0.0" }));
    const reloaded = await h.json("POST", "/v1/batch/reload", { body: { names: ["app", "base"] } });
    assert.deepEqual(reloaded.body.results.map((r: any) => [r.name, r.ok]), [["base", true], ["app", true]]);
    assert.deepEqual(await runningNames(h), ["app", "base"]);
  });

  test("a new dependency that is not installed is refused; one that is installed is started first", async (t) => {
    const h = await useHost(t);
    const roots = await addGraph(t, h, { extra: {}, app: {} });
    await h.json("POST", "/v1/packages/app/start");
    await editManifest(roots.app!, (m) => (m.isopod.dependencies = { missing: "^1.0.0" }));
    assertApiError(await h.json("POST", "/v1/packages/app/reload"), 422, "invalid_package", /dependency "missing" \(\^1\.0\.0\) is not installed/);
    assert.equal((await h.json("GET", "/v1/packages/app")).body.state, "running");
    await editManifest(roots.app!, (m) => (m.isopod.dependencies = { extra: "^1.0.0" }));
    const reloaded = await h.json("POST", "/v1/batch/reload", { body: { names: ["app"] } });
    assert.deepEqual(reloaded.body.results.map((r: any) => [r.name, r.ok, r.requested]), [["extra", true, false], ["app", true, true]]);
    assert.deepEqual(await runningNames(h), ["app", "extra"]);
  });

  test("a refused package that depends on an accepted one keeps its refusal; its edited files then fail integrity", async (t) => {
    const h = await useHost(t);
    const roots = await addGraph(t, h, { base: {}, app: { deps: { base: "^1.0.0" } } });
    await h.json("POST", "/v1/packages/app/start");
    await editManifest(roots.app!, (m) => (m.isopod.dependencies = { base: "^1.0.0", ghost: "^1.0.0" }));
    const before = hookEvents(h).length;
    const reloaded = await h.json("POST", "/v1/batch/reload", { body: { names: ["base", "app"] } });
    const app = reloaded.body.results.find((r: any) => r.name === "app");
    assert.equal(app.ok, false);
    assert.equal(app.error.code, "invalid_package");
    assert.match(app.error.message, /dependency "ghost" \(\^1\.0\.0\) is not installed/);
    assert.deepEqual(hookEvents(h).slice(before), ["stop app", "stop base", "start base"]);
    const record = (await h.json("GET", "/v1/packages/app")).body;
    assert.deepEqual([record.state, record.error.code, record.desiredState], ["failed", "integrity", "running"]);
    assert.deepEqual(record.dependencies, { base: "^1.0.0" });
  });

  test("a manifest that no longer parses is refused and the package keeps running", async (t) => {
    const h = await useHost(t);
    const roots = await addGraph(t, h, { app: {} });
    await h.json("POST", "/v1/packages/app/start");
    await editManifest(roots.app!, (m) => (m.version = "not a version"));
    assertApiError(await h.json("POST", "/v1/packages/app/reload"), 422, "invalid_package", /"version" must be a semver version/);
    assert.equal((await h.json("GET", "/v1/packages/app")).body.state, "running");
  });

  test("a manifest that renames the package is refused", async (t) => {
    const h = await useHost(t);
    const roots = await addGraph(t, h, { app: {} });
    await editManifest(roots.app!, (m) => (m.name = "other"));
    assertApiError(await h.json("POST", "/v1/packages/app/reload"), 422, "invalid_package", /its manifest now names it "other"/);
    assert.equal((await h.json("GET", "/v1/packages/app")).status, 200);
    assertApiError(await h.json("GET", "/v1/packages/other"), 404, "not_found");
  });

  test("a re-add with reload restarts the running dependents too", async (t) => {
    const h = await useHost(t);
    const roots = await addGraph(t, h, { base: {}, app: { deps: { base: "^1.0.0" } } });
    await h.json("POST", "/v1/packages/app/start");
    const before = hookEvents(h).length;
    const readded = await h.json("POST", "/v1/packages", { body: { path: roots.base, reload: true } });
    assert.equal(readded.body.state, "running");
    assert.deepEqual(hookEvents(h).slice(before), ["stop app", "stop base", "start base", "start app"]);
  });
});
