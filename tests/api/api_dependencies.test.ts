// Dependencies through the API: adding against installed versions, starting
// and stopping in dependency order, cascade delete (reload: api_dependencies_reload.test.ts).

import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
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
