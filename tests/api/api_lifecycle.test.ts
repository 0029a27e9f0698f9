// Start, stop and delete through the API: states, hooks under timeouts,
// integrity, auth, and the audit log.

import assert from "node:assert/strict";
import { access, appendFile, readdir } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { assertApiError } from "../helpers/assertions.ts";
import { writePackage } from "../helpers/package_fixture.ts";
import { FORMATS, useHost, type TestHost } from "../helpers/use_host.ts";
import { useTmp } from "../helpers/use_tmp.ts";
import { waitFor } from "../helpers/wait_for.ts";

async function addPackage(t: Parameters<typeof useTmp>[0], h: TestHost, name: string, mod: string, manifest = {}) {
  const root = await writePackage(await useTmp(t), name, { manifest, files: { "mod.ts": mod } });
  const added = await h.json("POST", "/v1/packages", { body: { path: root } });
  assert.equal(added.status, 200, JSON.stringify(added.body));
  return root;
}

// The same suite runs in every wire format: JSON and MessagePack.
for (const format of FORMATS) {
  describe(`start and stop (${format})`, () => {
    test("start runs the start hook and stop runs the stop hook", async (t) => {
      const h = await useHost(t, { format });
      await addPackage(t, h, "svc", `export default { start() { console.log("up"); }, stop() { console.log("down"); } };`);
      const started = await h.json("POST", "/v1/packages/svc/start");
      assert.equal(started.body.state, "running");
      const again = await h.json("POST", "/v1/packages/svc/start");
      assert.equal(again.body.state, "running");
      const stopped = await h.json("POST", "/v1/packages/svc/stop");
      assert.equal(stopped.body.state, "installed");
      assert.equal(stopped.body.desiredState, "stopped");
      assert.deepEqual(h.host.logs.tail("svc", 10).map((e) => e.message), ["up", "down"]);
    });

    test("a start hook that throws leaves the package failed with the reason kept", async (t) => {
      const h = await useHost(t, { format });
      await addPackage(t, h, "broken", `export default { start() { throw new TypeError("no config"); } };`);
      assertApiError(await h.json("POST", "/v1/packages/broken/start"), 422, "start_failed", /TypeError: no config/);
      const record = await h.json("GET", "/v1/packages/broken");
      assert.equal(record.body.state, "failed");
      assert.equal(record.body.error.code, "uncaught-error");
      assert.match(record.body.error.message, /no config/);
      assert.ok(!Number.isNaN(Date.parse(record.body.error.at)));
      assert.equal(h.host.packages.runningCount, 0);
    });

    test("a start hook that never returns is terminated at the timeout and the package is failed", async (t) => {
      const h = await useHost(t, { format });
      await addPackage(t, h, "hangs", `export default { start() { return new Promise(() => {}); } };`, {
        isopod: { limits: { timeoutMs: 200 } },
      });
      assertApiError(await h.json("POST", "/v1/packages/hangs/start"), 422, "start_failed", /within 200 ms/);
      const record = await h.json("GET", "/v1/packages/hangs");
      assert.equal(record.body.state, "failed");
      assert.equal(record.body.error.code, "wall-time");
      assert.equal(h.host.packages.runningCount, 0);
    });

    test("a start hook that loops forever is terminated and the host keeps answering", async (t) => {
      const h = await useHost(t, { format });
      await addPackage(t, h, "spins", `export default { start() { for (;;) {} } };`, { isopod: { limits: { timeoutMs: 200 } } });
      const pending = h.json("POST", "/v1/packages/spins/start");
      assert.equal((await h.json("GET", "/healthz")).status, 200);
      assertApiError(await pending, 422, "start_failed");
      assert.equal((await h.json("GET", "/v1/packages/spins")).body.error.code, "wall-time");
    });

    test("a package whose timer throws after start is marked failed", async (t) => {
      const h = await useHost(t, { format });
      await addPackage(t, h, "late", `export default { start() { setTimeout(() => { throw new Error("late boom"); }, 10); } };`);
      await h.json("POST", "/v1/packages/late/start");
      await waitFor(async () => (await h.json("GET", "/v1/packages/late")).body.state === "failed");
      const record = await h.json("GET", "/v1/packages/late");
      assert.equal(record.body.error.code, "uncaught-error");
      assert.match(record.body.error.message, /late boom/);
    });

    test("a stop hook that hangs is cut off at the timeout and the package stops anyway", async (t) => {
      const h = await useHost(t, { format });
      await addPackage(t, h, "clingy", `export default { stop() { return new Promise(() => {}); } };`, {
        isopod: { limits: { timeoutMs: 200 } },
      });
      await h.json("POST", "/v1/packages/clingy/start");
      const stopped = await h.json("POST", "/v1/packages/clingy/stop");
      assert.equal(stopped.body.state, "installed");
      assert.match(h.host.logs.tail("clingy", 5).at(-1)!.message, /stop failed/);
    });

    test("a start is refused when the files changed since install", async (t) => {
      const h = await useHost(t, { format });
      const root = await addPackage(t, h, "edited", `export default {};`);
      await appendFile(path.join(root, "mod.ts"), "\n// edited\n");
      assertApiError(await h.json("POST", "/v1/packages/edited/start"), 422, "integrity_failed", /integrity verification failed/);
      assert.equal((await h.json("GET", "/v1/packages/edited")).body.state, "failed");
    });

    test("add with reload accepts edited files", async (t) => {
      const h = await useHost(t, { format });
      const root = await addPackage(t, h, "edited", `export default {};`);
      const before = (await h.json("GET", "/v1/packages/edited")).body.integrity;
      await appendFile(path.join(root, "mod.ts"), "\n// edited\n");
      const reloaded = await h.json("POST", "/v1/packages", { body: { path: root, reload: true, start: true } });
      assert.equal(reloaded.body.state, "running");
      assert.notEqual(reloaded.body.integrity, before);
    });
  });

  describe(`delete (${format})`, () => {
    test("stops the package, runs uninstall, moves its folder to the trash and keeps its history", async (t) => {
      const h = await useHost(t, { format });
      await addPackage(t, h, "gone", `export default { uninstall() { console.log("bye"); } };`);
      await h.json("POST", "/v1/packages/gone/start");
      const deleted = await h.json("DELETE", "/v1/packages/gone");
      assert.deepEqual(deleted.body, { name: "gone", state: "deleted", deleted: ["gone"] });
      assertApiError(await h.json("GET", "/v1/packages/gone"), 404, "not_found", /"gone" is not installed/);
      await assert.rejects(access(path.join(h.dataDir, "packages", "gone")));
      const trash = await readdir(path.join(h.dataDir, "trash"));
      assert.equal(trash.length, 1);
      assert.match(trash[0]!, /^gone-\d+$/);
      const ops = h.host.store.operations.list({ package: "gone" }).map((op) => op.operation);
      assert.deepEqual(ops, ["delete", "start"]);
      assert.equal(h.host.logs.tail("gone", 5).at(-1)!.message, "bye");
    });

    test("is refused while an installed package depends on it", async (t) => {
      const h = await useHost(t, { format });
      await addPackage(t, h, "base", `export default {};`);
      await addPackage(t, h, "app", `export default {};`, { isopod: { dependencies: { base: "^1.0.0" } } });
      assertApiError(await h.json("DELETE", "/v1/packages/base"), 409, "has_dependents", /"app"/);
      assert.equal((await h.json("GET", "/v1/packages/base")).status, 200);
    });
  });

  describe(`names, tokens and errors (${format})`, () => {
    test("an unknown package is 404", async (t) => {
      const h = await useHost(t, { format });
      for (const [method, url] of [["GET", "/v1/packages/nope"], ["POST", "/v1/packages/nope/start"], ["POST", "/v1/packages/@a/nope/stop"], ["DELETE", "/v1/packages/nope"]] as const) {
        assertApiError(await h.json(method, url), 404, "not_found", /"(@a\/)?nope" is not installed/);
      }
    });

    test("an invalid package name is 400", async (t) => {
      const h = await useHost(t, { format });
      assertApiError(await h.json("GET", "/v1/packages/NOPE"), 400, "bad_request", /not a valid package name/);
    });

    test("a scoped name works literally and encoded", async (t) => {
      const h = await useHost(t, { format });
      await addPackage(t, h, "scoped", `export default {};`, { name: "@acme/clock" });
      assert.equal((await h.json("GET", "/v1/packages/@acme/clock")).body.name, "@acme/clock");
      assert.equal((await h.json("GET", "/v1/packages/%40acme%2Fclock")).body.name, "@acme/clock");
      assert.equal((await h.json("POST", "/v1/packages/%40acme%2Fclock/start")).body.state, "running");
    });

    test("no token is 401 and a bad token is 401", async (t) => {
      const h = await useHost(t, { format });
      assertApiError(await h.json("GET", "/v1/packages", { token: null }), 401, "unauthorized", /missing bearer token/);
      assertApiError(await h.json("GET", "/v1/packages", { token: "isopod_0000000000000000_xxx" }), 401, "unauthorized");
    });

    test("a viewer may read but not change anything", async (t) => {
      const h = await useHost(t, { format });
      const { token } = h.host.tokens.create("reader", "viewer");
      assert.equal((await h.json("GET", "/v1/packages", { token })).status, 200);
      assertApiError(await h.json("POST", "/v1/packages", { token, body: { path: "/tmp" } }), 403, "forbidden", /viewer token cannot POST/);
      assertApiError(await h.json("DELETE", "/v1/packages/x", { token }), 403, "forbidden");
    });

    test("a revoked token is refused", async (t) => {
      const h = await useHost(t, { format });
      const { id, token } = h.host.tokens.create("temp", "admin");
      assert.equal((await h.json("GET", "/v1/packages", { token })).status, 200);
      h.host.store.tokens.revoke(id);
      assertApiError(await h.json("GET", "/v1/packages", { token }), 401, "unauthorized");
    });

    test("healthz needs no token", async (t) => {
      const h = await useHost(t, { format });
      const health = await h.json("GET", "/healthz", { token: null });
      assert.equal(health.status, 200);
      assert.equal(health.body.status, "ok");
      assert.equal(health.body.node, process.version);
    });

    test("an unknown route is a JSON 404", async (t) => {
      const h = await useHost(t, { format });
      assertApiError(await h.json("GET", "/v1/nothing"), 404, "not_found");
    });
  });
}
