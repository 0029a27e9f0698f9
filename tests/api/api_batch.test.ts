// /v1/batch and /v1/operations: input checked before anything happens, one
// result per package, and the audit log read back in pages.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BATCH_OPERATIONS, MAX_BATCH_NAMES } from "../../api/routes/batch.ts";
import { assertApiError } from "../helpers/assertions.ts";
import { addGraph, editManifest, hookEvents, runningNames } from "../helpers/dependency_fixture.ts";
import { useHost, type TestHost } from "../helpers/use_host.ts";

/** Asserts that a refused request left packages, hooks and the audit log as they were. */
async function assertUnchanged(h: TestHost, action: () => Promise<void>): Promise<void> {
  const packages = (await h.json("GET", "/v1/packages")).body;
  const operations = h.host.store.operations.list().length;
  const events = hookEvents(h).length;
  await action();
  assert.deepEqual((await h.json("GET", "/v1/packages")).body, packages);
  assert.equal(h.host.store.operations.list().length, operations);
  assert.equal(hookEvents(h).length, events);
}

describe("POST /v1/batch/{operation}", () => {
  test("offers start, stop, reload and upgrade", () => {
    assert.deepEqual(Object.keys(BATCH_OPERATIONS), ["start", "stop", "reload", "upgrade"]);
  });

  test("upgrade takes each package from its source: a changed one is swapped and restarted, an unchanged one left alone", async (t) => {
    const h = await useHost(t);
    const roots = await addGraph(t, h, { base: {}, app: { deps: { base: "^1.0.0" } } });
    await h.json("POST", "/v1/batch/start", { body: { names: ["app"] } });
    const before = (await h.json("GET", "/v1/packages/base")).body.integrity;
    await editManifest(roots.base!, (manifest) => (manifest.version = "1.1.0"));
    const upgraded = await h.json("POST", "/v1/batch/upgrade", { body: { names: ["base", "app"] } });
    assert.equal(upgraded.status, 200, JSON.stringify(upgraded.body));
    assert.deepEqual(upgraded.body.results.map((r: any) => [r.name, r.ok, r.state]), [["base", true, "running"], ["app", true, "running"]]);
    const base = (await h.json("GET", "/v1/packages/base")).body;
    assert.equal(base.version, "1.1.0");
    assert.notEqual(base.integrity, before);
    assert.deepEqual(await runningNames(h), ["app", "base"]);
  });

  test("bad bodies are 400 and change nothing", async (t) => {
    const h = await useHost(t);
    await addGraph(t, h, { base: {}, app: { deps: { base: "^1.0.0" } } });
    const cases: [unknown, RegExp][] = [
      [{}, /"names"/],
      [{ names: [] }, /"names" must list at least one package/],
      [{ names: ["base", "NOT VALID"] }, /"names\.1" is not a valid package name: "NOT VALID"/],
      [{ names: ["base", "app", "base"] }, /"names" lists "base" twice/],
      [{ names: "base" }, /"names"/],
      [{ names: ["base"], force: true }, /force/],
      [{ names: Array.from({ length: MAX_BATCH_NAMES + 1 }, (_, i) => `p${i}`) }, /at most 1000/],
      ["{not json", /not valid JSON/],
    ];
    await assertUnchanged(h, async () => {
      for (const [body, message] of cases) {
        assertApiError(await h.json("POST", "/v1/batch/start", { body }), 400, "bad_request", message);
      }
    });
  });

  test("an unknown operation is 404, naming the ones there are", async (t) => {
    const h = await useHost(t);
    await addGraph(t, h, { base: {} });
    await assertUnchanged(h, async () => {
      for (const operation of ["restart", "constructor", "__proto__"]) {
        const answer = await h.json("POST", `/v1/batch/${operation}`, { body: { names: ["base"] } });
        assertApiError(answer, 404, "not_found", /use one of start, stop, reload/);
      }
    });
  });

  test("a viewer token cannot run a batch, and nothing starts", async (t) => {
    const h = await useHost(t);
    await addGraph(t, h, { base: {} });
    const { token } = h.host.tokens.create("reader", "viewer");
    assertApiError(await h.json("POST", "/v1/batch/start", { token, body: { names: ["base"] } }), 403, "forbidden");
    assertApiError(await h.json("POST", "/v1/batch/start", { token: null, body: { names: ["base"] } }), 401, "unauthorized");
    assert.deepEqual(await runningNames(h), []);
  });

  test("stop of packages that do not run succeeds and sets their desired state", async (t) => {
    const h = await useHost(t);
    await addGraph(t, h, { base: {}, app: { deps: { base: "^1.0.0" } } });
    const stopped = await h.json("POST", "/v1/batch/stop", { body: { names: ["base"] } });
    assert.deepEqual(stopped.body, {
      operation: "stop",
      results: [{ name: "base", requested: true, ok: true, state: "installed", desiredState: "stopped" }],
    });
    assert.deepEqual(hookEvents(h), []);
  });
});

describe("GET /v1/operations", () => {
  test("lists the audit log newest first, for one package, in pages", async (t) => {
    const h = await useHost(t);
    await addGraph(t, h, { base: {}, other: {} });
    for (let i = 0; i < 3; i++) {
      await h.json("POST", "/v1/packages/base/start");
      await h.json("POST", "/v1/packages/base/stop");
    }
    await h.json("POST", "/v1/packages/other/start");
    const first = await h.json("GET", "/v1/operations?package=base&limit=4");
    assert.equal(first.status, 200);
    assert.deepEqual(first.body.items.map((op: any) => op.operation), ["stop", "start", "stop", "start"]);
    assert.ok(first.body.items.every((op: any) => op.package === "base" && op.actor === "env-admin" && op.result === "ok"));
    assert.ok(!Number.isNaN(Date.parse(first.body.items[0].at)));
    const second = await h.json("GET", `/v1/operations?package=base&limit=4&before=${first.body.nextBefore}`);
    assert.deepEqual(second.body.items.map((op: any) => op.operation), ["stop", "start"]);
    assert.equal(second.body.nextBefore, null);
    const ids = [...first.body.items, ...second.body.items].map((op: any) => op.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
    const all = await h.json("GET", "/v1/operations");
    assert.equal(all.body.items[0].package, "other");
  });

  test("failed operations carry their error", async (t) => {
    const h = await useHost(t);
    await h.json("POST", "/v1/packages/ghost/start");
    const [entry] = (await h.json("GET", "/v1/operations?package=ghost")).body.items;
    assert.equal(entry.result, "error");
    assert.deepEqual(entry.error, { code: "not_found", message: 'package "ghost" is not installed' });
  });

  test("a viewer may read it", async (t) => {
    const h = await useHost(t);
    const { token } = h.host.tokens.create("reader", "viewer");
    assert.equal((await h.json("GET", "/v1/operations", { token })).status, 200);
    assertApiError(await h.json("GET", "/v1/operations", { token: null }), 401, "unauthorized");
  });

  test("bad query parameters are 400", async (t) => {
    const h = await useHost(t);
    const cases: [string, RegExp][] = [
      ["limit=0", /"limit"/],
      ["limit=1001", /at most 1000/],
      ["limit=ten", /"limit": must be a positive whole number/],
      ["before=-3", /"before"/],
      ["package=NOPE", /"package": is not a valid package name/],
      ["sort=asc", /sort/],
    ];
    for (const [query, message] of cases) {
      assertApiError(await h.json("GET", `/v1/operations?${query}`), 400, "bad_request", message);
    }
  });
});
