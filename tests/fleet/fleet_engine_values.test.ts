// What a host does with what it reads from the engine: corrupt or hostile
// entries are ignored, and a path the host lacks is reported failed with the reason.

import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { NatsStore } from "../../runtime/fleet/nats_store.ts";
import { api, pkgText, useFleet } from "../helpers/fleet_hosts.ts";
import { writePackage } from "../helpers/package_fixture.ts";
import { waitFor } from "../helpers/wait_for.ts";

const spec = (name: string, source: unknown) => ({
  name,
  deleted: false,
  source,
  env: {},
  config: {},
  desiredState: "running",
  integrity: "sha256-x",
  version: "1.0.0",
  by: "elsewhere",
  at: Date.now(),
});

test("a host ignores corrupt desired state and reports a fleet path it lacks as absent, with the reason", { timeout: 60_000 }, async (t) => {
  const { tmp, nats, spawn } = await useFleet(t);
  const host = await spawn("h1");
  const store = new NatsStore({ server: `127.0.0.1:${nats.port}`, url: nats.url, leaseMs: 1500, timeoutMs: 2000, name: "test" });
  t.after(() => store.close());
  await store.open(5_000);

  await store.put("desired", "garbage", "not an object");
  await store.put("desired", "named-otherwise", spec("other-name", { kind: "path", path: "/tmp" }));
  await store.put("desired", "relative", spec("relative", { kind: "path", path: "../../etc" }));
  await store.put("desired", "elsewhere", spec("elsewhere", { kind: "path", path: path.join(tmp, "no-such-folder") }));
  const good = await writePackage(tmp, "good", { manifest: { name: "good" }, files: { "mod.ts": `export default { fetch: () => new Response("good") };\n` } });
  assert.equal((await api(host, "POST", "/v1/packages", { path: good, start: true })).status, 200);

  await waitFor(async () => {
    const view = (await api(host, "GET", "/v1/fleet")).body;
    return view.problems?.some((p: any) => p.package === "elsewhere" && p.host === "h1");
  }, 10_000);
  const view = (await api(host, "GET", "/v1/fleet")).body;
  assert.deepEqual(view.packages.map((p: any) => p.name), ["elsewhere", "good"]);
  const elsewhere = view.packages[0].hosts.h1;
  assert.equal(elsewhere.state, "absent");
  assert.match(elsewhere.error.message, /no-such-folder/);
  assert.deepEqual(await pkgText(host, "good"), { status: 200, text: "good" });
  const names = (await api(host, "GET", "/v1/packages")).body.items.map((p: any) => p.name);
  assert.deepEqual(names, ["good"]);
});

test("GET /v1/fleet on a host alone says it is not in a fleet", async (t) => {
  const { useHost } = await import("../helpers/use_host.ts");
  const h = await useHost(t);
  const answer = await h.json("GET", "/v1/fleet");
  assert.equal(answer.status, 404);
  assert.match(answer.body.error.message, /ISOPOD_FLEET is not set/);
});
