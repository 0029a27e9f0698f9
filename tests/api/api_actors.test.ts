// The ThreeBot package_manager actor: the seed's call sequence (add, read the
// name from the reply, start, stop, delete), its argument names, admin only.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertApiError, assertNothingInstalled } from "../helpers/assertions.ts";
import { writePackage } from "../helpers/package_fixture.ts";
import { FORMATS, useHost } from "../helpers/use_host.ts";
import { useTmp } from "../helpers/use_tmp.ts";
import { HELLO } from "../helpers/paths.ts";

const ACTOR = "/actors/package_manager";

for (const format of FORMATS) {
  describe(`POST /actors/package_manager/* (${format})`, () => {
    test("the seed's sequence: package_add, then start, stop and delete by the name it answered", async (t) => {
      const h = await useHost(t, { format });
      const added = await h.json("POST", `${ACTOR}/package_add`, { body: { path: HELLO } });
      assert.equal(added.status, 200, JSON.stringify(added.body));
      const name = added.body.name as string;
      assert.equal(name, "@isopod/hello");
      assert.equal(added.body.state, "installed");
      const started = await h.json("POST", `${ACTOR}/package_start`, { body: { name } });
      assert.equal(started.body.state, "running");
      const listed = await h.json("POST", `${ACTOR}/packages_list`);
      assert.deepEqual(listed.body.packages.map((p: any) => [p.name, p.state]), [[name, "running"]]);
      const stopped = await h.json("POST", `${ACTOR}/package_stop`, { body: { name } });
      assert.equal(stopped.body.state, "installed");
      const deleted = await h.json("POST", `${ACTOR}/package_delete`, { body: { name } });
      assert.deepEqual(deleted.body, { name, state: "deleted" });
      assert.deepEqual((await h.json("POST", `${ACTOR}/packages_list`, { body: {} })).body, { packages: [] });
      const ops = h.host.store.operations.list({}).map((op) => [op.operation, op.actor, op.result]);
      assert.deepEqual(ops.reverse(), [
        ["add", "env-admin", "ok"],
        ["start", "env-admin", "ok"],
        ["stop", "env-admin", "ok"],
        ["delete", "env-admin", "ok"],
      ]);
    });

    test("package_add of a package that is there answers it untouched unless reload is set", async (t) => {
      const h = await useHost(t, { format });
      const dir = await useTmp(t);
      const root = await writePackage(dir, "svc");
      const first = await h.json("POST", `${ACTOR}/package_add`, { body: { path: root } });
      const again = await h.json("POST", `${ACTOR}/package_add`, { body: { path: root, reload: false } });
      assert.deepEqual(again.body, first.body);
      await writePackage(dir, "svc", { manifest: { version: "1.1.0" } });
      const reloaded = await h.json("POST", `${ACTOR}/package_add`, { body: { path: root, reload: true } });
      assert.equal(reloaded.body.version, "1.1.0");
    });

    test("package_upgrade of an unchanged package returns it untouched", async (t) => {
      const h = await useHost(t, { format });
      const added = await h.json("POST", `${ACTOR}/package_add`, { body: { path: HELLO } });
      const upgraded = await h.json("POST", `${ACTOR}/package_upgrade`, { body: { name: "@isopod/hello" } });
      assert.equal(upgraded.status, 200, JSON.stringify(upgraded.body));
      assert.equal(upgraded.body.name, "@isopod/hello");
      assert.equal(upgraded.body.integrity, added.body.integrity);
    });

    describe("refuses bad input and changes nothing", () => {
      const cases: { name: string; method: string; body?: unknown; status: number; code: string; message: RegExp }[] = [
        { name: "package_start without a name", method: "package_start", body: {}, status: 400, code: "bad_request", message: /"name"/ },
        { name: "package_stop with an invalid name", method: "package_stop", body: { name: "Bad Name" }, status: 400, code: "bad_request", message: /"name" is not a valid package name/ },
        { name: "package_delete of an unknown name", method: "package_delete", body: { name: "nope" }, status: 404, code: "not_found", message: /"nope" is not installed/ },
        { name: "package_start of an unknown name", method: "package_start", body: { name: "nope" }, status: 404, code: "not_found", message: /"nope" is not installed/ },
        { name: "package_add with both git_url and path", method: "package_add", body: { path: HELLO, git_url: "https://github.com/a/b" }, status: 400, code: "bad_request", message: /exactly one of "git_url" or "path"/ },
        { name: "package_add with a path that does not exist", method: "package_add", body: { path: "/nonexistent/pkg" }, status: 400, code: "bad_request", message: /does not exist/ },
        { name: "an argument the actor does not take", method: "package_start", body: { name: "hello", user_session: {} }, status: 400, code: "bad_request", message: /user_session/ },
        { name: "packages_list with arguments", method: "packages_list", body: { frontend: true }, status: 400, code: "bad_request", message: /frontend/ },
        { name: "an unknown method", method: "package_disable", body: { name: "x" }, status: 404, code: "not_found", message: /no route/ },
      ];
      for (const c of cases) {
        test(`${c.name}: ${c.status} ${c.code}`, async (t) => {
          const h = await useHost(t, { format });
          assertApiError(await h.json("POST", `${ACTOR}/${c.method}`, { body: c.body }), c.status, c.code, c.message);
          await assertNothingInstalled(h);
        });
      }
    });

    test("every method is admin only: a viewer gets 403 and no token gets 401", async (t) => {
      const h = await useHost(t, { format });
      await h.json("POST", `${ACTOR}/package_add`, { body: { path: HELLO } });
      const { token } = h.host.tokens.create("reader", "viewer");
      const methods = ["package_add", "package_start", "package_stop", "package_upgrade", "package_delete", "packages_list"];
      for (const method of methods) {
        const body = method === "package_add" ? { path: HELLO, reload: true } : method === "packages_list" ? {} : { name: "@isopod/hello" };
        assertApiError(await h.json("POST", `${ACTOR}/${method}`, { token, body }), 403, "forbidden", /viewer token cannot POST/);
        assertApiError(await h.json("POST", `${ACTOR}/${method}`, { token: null, body }), 401, "unauthorized");
      }
      const record = await h.json("GET", "/v1/packages/@isopod/hello");
      assert.equal(record.body.state, "installed");
      assert.deepEqual(h.host.store.operations.list({}).map((op) => op.operation), ["add"]);
    });
  });
}
