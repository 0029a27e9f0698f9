// The host as `npm start` runs it: a separate process on a loopback port,
// its first admin token, and packages that come back after a restart.

import assert from "node:assert/strict";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { spawnHost, stopHost } from "../helpers/spawn_host.ts";
import { useTmp } from "../helpers/use_tmp.ts";
import { HELLO } from "../helpers/paths.ts";


async function call(url: string, token: string, method: string, route: string, body?: unknown) {
  const response = await fetch(`${url}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as any };
}

describe("a host started as npm start starts it", () => {
  test("writes an admin token (0600) at first start and serves the API with it", async (t) => {
    const dataDir = await useTmp(t);
    const host = await spawnHost(t, { ISOPOD_DATA: dataDir });
    const tokenFile = path.join(dataDir, "admin-token");
    assert.match(host.output(), new RegExp(`created an admin token in ${tokenFile}`));
    assert.equal((await stat(tokenFile)).mode & 0o777, 0o600);
    const token = (await readFile(tokenFile, "utf8")).trim();
    const health = await fetch(`${host.url}/healthz`);
    assert.equal(health.status, 200);
    assert.equal((await call(host.url, "wrong", "GET", "/v1/packages")).status, 401);
    const added = await call(host.url, token, "POST", "/v1/packages", { path: HELLO, start: true });
    assert.equal(added.body.state, "running");
  });

  test("does not create a token when ISOPOD_ADMIN_TOKEN is set", async (t) => {
    const dataDir = await useTmp(t);
    const host = await spawnHost(t, { ISOPOD_DATA: dataDir, ISOPOD_ADMIN_TOKEN: "from-env" });
    await assert.rejects(stat(path.join(dataDir, "admin-token")));
    assert.equal((await call(host.url, "from-env", "GET", "/v1/packages")).status, 200);
  });

  test("brings back exactly the packages that were running after SIGKILL", async (t) => {
    const dataDir = await useTmp(t);
    const env = { ISOPOD_DATA: dataDir, ISOPOD_ADMIN_TOKEN: "tok" };
    const first = await spawnHost(t, env);
    await call(first.url, "tok", "POST", "/v1/packages", { path: HELLO, start: true });
    await stopHost(first.child, "SIGKILL");
    const second = await spawnHost(t, env);
    assert.match(second.output(), /ready, 1 package\(s\) running/);
    const hello = await call(second.url, "tok", "GET", "/v1/packages/@isopod/hello");
    assert.equal(hello.body.state, "running");
    await call(second.url, "tok", "POST", "/v1/packages/@isopod/hello/stop");
    await stopHost(second.child);
    const third = await spawnHost(t, env);
    assert.match(third.output(), /ready, 0 package\(s\) running/);
    assert.equal((await call(third.url, "tok", "GET", "/v1/packages/@isopod/hello")).body.state, "installed");
  });
});
