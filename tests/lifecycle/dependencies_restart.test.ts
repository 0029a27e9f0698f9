// A host with a running dependency graph is killed with SIGKILL and started
// again: exactly the packages that should run come back, dependencies first.

import assert from "node:assert/strict";
import { appendFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { hookLogger } from "../helpers/dependency_fixture.ts";
import { writePackage } from "../helpers/package_fixture.ts";
import { spawnHost, stopHost } from "../helpers/spawn_host.ts";
import { useTmp } from "../helpers/use_tmp.ts";

// Names sort against the dependencies (the top first, the base last), so that an
// alphabetical restore would fail the order check.
const GRAPH: Record<string, Record<string, string>> = {
  "z-base": {},
  "m-left": { "z-base": "^1.0.0" },
  "n-right": { "z-base": "^1.0.0" },
  "a-top": { "m-left": "^1.0.0", "n-right": "^1.0.0" },
  solo: {},
  idle: { "z-base": "^1.0.0" },
  "x-edited": {},
  needs: { "x-edited": "^1.0.0" },
};

async function call(url: string, method: string, route: string, body?: unknown) {
  const response = await fetch(`${url}${route}`, {
    method,
    headers: { authorization: "Bearer tok", "content-type": "application/json" },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as any };
}

test("after SIGKILL a restarted host runs exactly the packages that should run, in dependency order", { timeout: 60_000 }, async (t) => {
  const dataDir = await useTmp(t);
  const src = await useTmp(t);
  const env = { ISOPOD_DATA: dataDir, ISOPOD_ADMIN_TOKEN: "tok" };
  const first = await spawnHost(t, env);
  for (const [name, dependencies] of Object.entries(GRAPH)) {
    const root = await writePackage(src, name, { manifest: { isopod: { dependencies } }, files: { "mod.ts": hookLogger(name) } });
    assert.equal((await call(first.url, "POST", "/v1/packages", { path: root })).status, 200);
  }
  await call(first.url, "POST", "/v1/batch/start", { names: ["a-top", "solo", "idle", "needs"] });
  await call(first.url, "POST", "/v1/packages/idle/stop");
  const before = (await call(first.url, "GET", "/v1/packages")).body.items;
  const shouldRun = before.filter((p: any) => p.state === "running").map((p: any) => p.name).sort();
  assert.deepEqual(shouldRun, ["a-top", "m-left", "n-right", "needs", "solo", "x-edited", "z-base"]);

  await stopHost(first.child, "SIGKILL");
  await appendFile(path.join(src, "x-edited", "mod.ts"), "// changed while the host was down\n");
  const second = await spawnHost(t, env);

  const after = new Map<string, any>((await call(second.url, "GET", "/v1/packages")).body.items.map((p: any) => [p.name, p]));
  const running = [...after.values()].filter((p) => p.state === "running").map((p) => p.name).sort();
  assert.deepEqual(running, ["a-top", "m-left", "n-right", "solo", "z-base"]);
  assert.match(second.output(), /ready, 5 package\(s\) running/);
  assert.equal(after.get("idle").state, "installed");
  assert.equal(after.get("idle").desiredState, "stopped");
  assert.equal(after.get("x-edited").state, "failed");
  assert.match(after.get("x-edited").error.message, /integrity verification failed/);
  assert.equal(after.get("needs").state, "installed");
  assert.equal(after.get("needs").desiredState, "running", "still meant to run once its dependency is fixed");

  const restore = (await call(second.url, "GET", "/v1/operations?limit=100")).body.items
    .filter((op: any) => op.actor === "host" && op.params.reason === "restore")
    .reverse();
  const started = restore.filter((op: any) => op.result === "ok").map((op: any) => op.package);
  assert.deepEqual([...started].sort(), running, "each started once");
  for (const name of started) {
    for (const need of Object.keys(GRAPH[name]!)) assert.ok(started.indexOf(need) < started.indexOf(name), `${need} before ${name} in ${started}`);
  }
  const refused = Object.fromEntries(restore.filter((op: any) => op.result === "error").map((op: any) => [op.package, op.error.code]));
  assert.deepEqual(refused, { "x-edited": "integrity_failed", needs: "dependency_failed" });
});
