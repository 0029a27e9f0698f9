// Dependencies through the API: adding against installed versions, starting
// and stopping in dependency order, reload with dependents, cascade delete.

import assert from "node:assert/strict";
import { appendFile, readdir } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { assertApiError, assertNothingInstalled } from "../helpers/assertions.ts";
import { addGraph, editManifest, hookEvents, hookLogger, runningNames } from "../helpers/dependency_fixture.ts";
import { writePackage } from "../helpers/package_fixture.ts";
import { useHost } from "../helpers/use_host.ts";
import { useTmp } from "../helpers/use_tmp.ts";

const CHAIN = { base: {}, mid: { deps: { base: "^1.0.0" } }, top: { deps: { mid: "^1.0.0" } } };
const DIAMOND = {
  base: {},
  left: { deps: { base: "^1.0.0" } },
  right: { deps: { base: "^1.0.0" } },
  top: { deps: { left: "^1.0.0", right: "^1.0.0" } },
};

describe("adding a package with dependencies", () => {
  test("a missing dependency is refused, naming it, and nothing is installed", async (t) => {
    const h = await useHost(t);
    const root = await writePackage(await useTmp(t), "app", { manifest: { isopod: { dependencies: { "@acme/base": "^1.0.0" } } } });
    const added = await h.json("POST", "/v1/packages", { body: { path: root } });
    assertApiError(added, 422, "invalid_package", /^cannot add "app": dependency "@acme\/base" \(\^1\.0\.0\) is not installed$/);
    await assertNothingInstalled(h);
  });

  test("a dependency installed at a version out of range is refused with both versions named", async (t) => {
    const h = await useHost(t);
    await addGraph(t, h, { base: { version: "1.4.0" } });
    const root = await writePackage(await useTmp(t), "app", { manifest: { isopod: { dependencies: { base: "^2.0.0" } } } });
    const added = await h.json("POST", "/v1/packages", { body: { path: root } });
    assertApiError(added, 422, "invalid_package", /dependency "base" is at 1\.4\.0, outside \^2\.0\.0/);
    assert.deepEqual((await h.json("GET", "/v1/packages")).body.items.map((p: { name: string }) => p.name), ["base"]);
  });

  test("one error lists every missing and every mismatched dependency", async (t) => {
    const h = await useHost(t);
    await addGraph(t, h, { base: { version: "1.0.0" } });
    const deps = { base: "~2.1.0", "@x/one": "*", "@x/two": ">=3" };
    const root = await writePackage(await useTmp(t), "app", { manifest: { isopod: { dependencies: deps } } });
    const added = await h.json("POST", "/v1/packages", { body: { path: root } });
    assertApiError(added, 422, "invalid_package");
    assert.equal(added.body.error.dependencies.length, 3);
    for (const name of ["base", "@x/one", "@x/two"]) assert.match(added.body.error.message, new RegExp(`"${name}"`));
  });

  test("the package shows its declared dependencies", async (t) => {
    const h = await useHost(t);
    await addGraph(t, h, CHAIN);
    assert.deepEqual((await h.json("GET", "/v1/packages/mid")).body.dependencies, { base: "^1.0.0" });
  });

  test("start: true on add starts the dependencies first", async (t) => {
    const h = await useHost(t);
    await addGraph(t, h, { base: {} });
    const root = await writePackage(await useTmp(t), "app", {
      manifest: { isopod: { dependencies: { base: "^1.0.0" } } },
      files: { "mod.ts": hookLogger("app") },
    });
    const added = await h.json("POST", "/v1/packages", { body: { path: root, start: true } });
    assert.equal(added.body.state, "running");
    assert.deepEqual(hookEvents(h), ["start base", "start app"]);
  });
});

describe("start and stop follow the dependencies", () => {
  test("starting the top of a chain starts the chain from its base, reported in that order", async (t) => {
    const h = await useHost(t);
    await addGraph(t, h, CHAIN);
    const started = await h.json("POST", "/v1/batch/start", { body: { names: ["top"] } });
    assert.equal(started.status, 200);
    assert.deepEqual(
      started.body.results.map((r: any) => [r.name, r.ok, r.requested, r.state, r.desiredState]),
      [["base", true, false, "running", "running"], ["mid", true, false, "running", "running"], ["top", true, true, "running", "running"]],
    );
    assert.deepEqual(hookEvents(h), ["start base", "start mid", "start top"]);
  });

  test("a diamond's base starts once, before both sides, and the top last", async (t) => {
    const h = await useHost(t);
    await addGraph(t, h, DIAMOND);
    const started = await h.json("POST", "/v1/batch/start", { body: { names: ["top", "left"] } });
    assert.deepEqual(started.body.results.map((r: any) => r.name), ["base", "left", "right", "top"]);
    const events = hookEvents(h);
    assert.deepEqual(events, ["start base", "start left", "start right", "start top"]);
    const again = await h.json("POST", "/v1/batch/start", { body: { names: ["top", "right"] } });
    assert.deepEqual(again.body.results.map((r: any) => [r.name, r.ok]), [["right", true], ["top", true]]);
    assert.deepEqual(hookEvents(h), events, "nothing started twice");
  });

  test("the single start route answers with the package and starts its dependencies", async (t) => {
    const h = await useHost(t);
    await addGraph(t, h, CHAIN);
    const started = await h.json("POST", "/v1/packages/mid/start");
    assert.equal(started.body.name, "mid");
    assert.equal(started.body.state, "running");
    assert.deepEqual(await runningNames(h), ["base", "mid"]);
  });

  test("stopping a base stops its dependents first and none of them comes back by itself", async (t) => {
    const h = await useHost(t);
    await addGraph(t, h, { ...DIAMOND, solo: {} });
    await h.json("POST", "/v1/batch/start", { body: { names: ["top", "solo"] } });
    const stopped = await h.json("POST", "/v1/batch/stop", { body: { names: ["base"] } });
    const order = stopped.body.results.map((r: any) => r.name);
    assert.equal(order[0], "top");
    assert.equal(order.at(-1), "base");
    assert.deepEqual([...order].sort(), ["base", "left", "right", "top"]);
    assert.ok(stopped.body.results.every((r: any) => r.ok && r.state === "installed" && r.desiredState === "stopped"));
    const stops = hookEvents(h).filter((e) => e.startsWith("stop"));
    assert.deepEqual(stops, order.map((name: string) => `stop ${name}`));
    assert.deepEqual(await runningNames(h), ["solo"]);
  });

  test("a package whose dependency fails to start is refused with 424, naming the dependency and why", async (t) => {
    const h = await useHost(t);
    await addGraph(t, h, {
      base: { mod: `export default { start() { throw new Error("no database"); } };` },
      app: { deps: { base: "^1.0.0" } },
      solo: {},
    });
    const single = await h.json("POST", "/v1/packages/app/start");
    assertApiError(single, 424, "dependency_failed", /^cannot start "app": dependency "base" did not start: cannot start "base": .*no database/);
    assert.equal(single.body.error.dependency, "base");
    assert.equal((await h.json("GET", "/v1/packages/app")).body.state, "installed");
    assert.equal((await h.json("GET", "/v1/packages/base")).body.state, "failed");
    const batch = await h.json("POST", "/v1/batch/start", { body: { names: ["app", "solo"] } });
    assert.deepEqual(
      batch.body.results.map((r: any) => [r.name, r.ok, r.error?.code ?? null]),
      [["base", false, "start_failed"], ["app", false, "dependency_failed"], ["solo", true, null]],
    );
  });

  test("a name that is not installed gets its own 404 result and the rest of the batch proceeds", async (t) => {
    const h = await useHost(t);
    await addGraph(t, h, { base: {} });
    const batch = await h.json("POST", "/v1/batch/start", { body: { names: ["ghost", "base"] } });
    assert.equal(batch.status, 200);
    const ghost = batch.body.results.find((r: any) => r.name === "ghost");
    assert.deepEqual(ghost, {
      name: "ghost",
      requested: true,
      ok: false,
      state: null,
      desiredState: null,
      error: { code: "not_found", message: 'package "ghost" is not installed' },
    });
    assert.deepEqual(await runningNames(h), ["base"]);
  });

  test("the audit log has one entry per package, dependencies marked as taken in", async (t) => {
    const h = await useHost(t);
    await addGraph(t, h, CHAIN);
    await h.json("POST", "/v1/batch/start", { body: { names: ["top"] } });
    const starts = h.host.store.operations.list().filter((op) => op.operation === "start").reverse();
    assert.deepEqual(starts.map((op) => [op.package, op.params.requested ?? true, op.result]), [
      ["base", false, "ok"],
      ["mid", false, "ok"],
      ["top", true, "ok"],
    ]);
  });
});

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

describe("delete", () => {
  test("is refused while packages depend on it, listing all of them, and nothing changes", async (t) => {
    const h = await useHost(t);
    await addGraph(t, h, CHAIN);
    await h.json("POST", "/v1/packages/top/start");
    const refused = await h.json("DELETE", "/v1/packages/base");
    assertApiError(refused, 409, "has_dependents", /^cannot delete "base": "mid", "top" depend on it; delete them first, or delete with cascade=true$/);
    assert.deepEqual(refused.body.error.dependents, ["mid", "top"]);
    assert.deepEqual(await runningNames(h), ["base", "mid", "top"]);
    const last = h.host.store.operations.list({ package: "base", limit: 1 })[0]!;
    assert.deepEqual([last.operation, last.result, last.error?.code], ["delete", "error", "has_dependents"]);
  });

  test("with cascade deletes the dependents first, then the package, and keeps their history", async (t) => {
    const h = await useHost(t);
    await addGraph(t, h, { ...DIAMOND, solo: {} });
    await h.json("POST", "/v1/batch/start", { body: { names: ["top", "solo"] } });
    const deleted = await h.json("DELETE", "/v1/packages/base?cascade=true");
    assert.equal(deleted.status, 200);
    assert.equal(deleted.body.deleted[0], "top");
    assert.equal(deleted.body.deleted.at(-1), "base");
    assert.deepEqual([...deleted.body.deleted].sort(), ["base", "left", "right", "top"]);
    const uninstalls = hookEvents(h).filter((e) => e.startsWith("uninstall"));
    assert.deepEqual(uninstalls, deleted.body.deleted.map((name: string) => `uninstall ${name}`));
    assert.deepEqual((await h.json("GET", "/v1/packages")).body.items.map((p: any) => p.name), ["solo"]);
    assert.equal((await readdir(path.join(h.dataDir, "trash"))).length, 4);
    const ops = h.host.store.operations.list({ package: "left" }).map((op) => `${op.operation}:${op.result}`);
    assert.deepEqual(ops, ["delete:ok", "start:ok"]);
  });

  test("a bad cascade value is 400 and nothing changes", async (t) => {
    const h = await useHost(t);
    await addGraph(t, h, { base: {} });
    assertApiError(await h.json("DELETE", "/v1/packages/base?cascade=yes"), 400, "bad_request", /"cascade" must be true or false, not "yes"/);
    assert.equal((await h.json("GET", "/v1/packages/base")).status, 200);
  });

  test("a package added again after a cascade delete starts cleanly", async (t) => {
    const h = await useHost(t);
    const roots = await addGraph(t, h, CHAIN);
    await h.json("DELETE", "/v1/packages/base?cascade=true");
    for (const name of ["base", "mid"]) assert.equal((await h.json("POST", "/v1/packages", { body: { path: roots[name] } })).status, 200);
    assert.equal((await h.json("POST", "/v1/packages/mid/start")).body.state, "running");
  });
});

describe("hostile packages", () => {
  test("a package that names itself as a dependency is refused at reload with the cycle named", async (t) => {
    const h = await useHost(t);
    const roots = await addGraph(t, h, { loop: {} });
    await editManifest(roots.loop!, (m) => (m.isopod.dependencies = { loop: "*" }));
    const reloaded = await h.json("POST", "/v1/packages/loop/reload");
    assertApiError(reloaded, 409, "dependency_cycle", /would form the cycle loop -> loop$/);
    assert.deepEqual((await h.json("GET", "/v1/packages/loop")).body.dependencies, {});
  });

  test("a package that spins in start in the middle of a batch is cut off; its dependents are refused, the rest start", async (t) => {
    const h = await useHost(t);
    await addGraph(t, h, {
      spins: { mod: `export default { start() { for (;;) {} } };`, isopod: { limits: { timeoutMs: 200 } } },
      app: { deps: { spins: "^1.0.0" } },
      solo: {},
    });
    const batch = await h.json("POST", "/v1/batch/start", { body: { names: ["app", "solo"] } });
    assert.deepEqual(
      batch.body.results.map((r: any) => [r.name, r.error?.code ?? "ok"]),
      [["spins", "start_failed"], ["app", "dependency_failed"], ["solo", "ok"]],
    );
    assert.equal((await h.json("GET", "/v1/packages/spins")).body.error.code, "wall-time");
    assert.deepEqual(await runningNames(h), ["solo"]);
    assert.equal((await h.json("GET", "/healthz")).status, 200);
  });

  test("dependents whose stop and uninstall hooks hang do not block a cascade delete", async (t) => {
    const h = await useHost(t);
    const hang = `export default { stop() { return new Promise(() => {}); }, uninstall() { for (;;) {} } };`;
    await addGraph(t, h, { base: {}, clingy: { deps: { base: "^1.0.0" }, mod: hang, isopod: { limits: { timeoutMs: 200 } } } });
    await h.json("POST", "/v1/packages/clingy/start");
    const deleted = await h.json("DELETE", "/v1/packages/base?cascade=true");
    assert.deepEqual(deleted.body.deleted, ["clingy", "base"]);
    assert.deepEqual((await h.json("GET", "/v1/packages")).body.items, []);
    const messages = h.host.logs.tail("clingy", 10).map((e) => e.message);
    assert.ok(messages.some((m) => /^stop failed: .*200 ms/.test(m)), messages.join("\n"));
    assert.ok(messages.some((m) => /^uninstall failed/.test(m)), messages.join("\n"));
  });
});
