// A fleet of three real host processes on a real NATS server: an add on one
// host runs on all, a killed host drops out and comes back, upgrades spread, the engine may go away.

import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { api, pkgText, stopHost, useFleet, type FleetHost } from "../helpers/fleet_hosts.ts";
import { writePackage } from "../helpers/package_fixture.ts";
import { waitFor } from "../helpers/wait_for.ts";

const NAME = "fleet-hello";

const helloFiles = (version: string) => ({
  manifest: { name: NAME, version },
  files: { "mod.ts": `export default { fetch: () => new Response("hello ${version}") };\n` },
});

async function answersEverywhere(hosts: FleetHost[], text: string, timeoutMs = 20_000): Promise<void> {
  await waitFor(async () => {
    const answers = await Promise.all(hosts.map((host) => pkgText(host, NAME)));
    return answers.every((answer) => answer.status === 200 && answer.text === text);
  }, timeoutMs);
}

async function fleetView(host: FleetHost): Promise<any> {
  const answer = await api(host, "GET", "/v1/fleet");
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body;
}

test("a fleet of three hosts runs what one adds, survives the loss of a host and of its engine", { timeout: 180_000 }, async (t) => {
  const { tmp, nats, spawn } = await useFleet(t);
  const source = await writePackage(tmp, "src", helloFiles("1.0.0"));
  const [h1, h3] = await Promise.all([spawn("h1"), spawn("h3")]);
  let h2 = await spawn("h2");

  await t.test("hello added on host 1 runs and answers /pkg on all three", async () => {
    const added = await api(h1, "POST", "/v1/packages", { path: source, start: true });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    await answersEverywhere([h1, h2, h3], "hello 1.0.0");
    const view = await fleetView(h3);
    assert.deepEqual(view.hosts.map((host: any) => [host.id, host.live]), [["h1", true], ["h2", true], ["h3", true]]);
    await waitFor(async () => {
      const pkg = (await fleetView(h2)).packages.find((p: any) => p.name === NAME);
      return ["h1", "h2", "h3"].every((id) => pkg?.hosts[id]?.state === "running");
    }, 10_000);
  });

  await t.test("a host killed with SIGKILL drops out after its lease while the others go on serving", async () => {
    await stopHost(h2.child, "SIGKILL");
    for (const host of [h1, h3]) assert.equal((await pkgText(host, NAME)).text, "hello 1.0.0");
    await waitFor(async () => (await fleetView(h1)).hosts.find((host: any) => host.id === "h2")?.live === false, 10_000);
    assert.equal((await pkgText(h3, NAME)).status, 200);
  });

  await t.test("an upgrade on host 3 reaches the others, and a host that comes back catches up before it is ready", async () => {
    await writePackage(tmp, "src", helloFiles("2.0.0"));
    const upgraded = await api(h3, "POST", `/v1/packages/${NAME}/upgrade`);
    assert.equal(upgraded.status, 200, JSON.stringify(upgraded.body));
    assert.equal(upgraded.body.upgrade.status, "upgraded");
    await answersEverywhere([h1, h3], "hello 2.0.0");
    h2 = await spawn("h2");
    // Ready means reconciled: the returning host answers the new version at once.
    assert.deepEqual(await pkgText(h2, NAME), { status: 200, text: "hello 2.0.0" });
    await waitFor(async () => {
      const view = await fleetView(h1);
      const pkg = view.packages.find((p: any) => p.name === NAME);
      return view.hosts.every((host: any) => host.live && host.ready) && ["h1", "h2", "h3"].every((id) => pkg?.hosts[id]?.version === "2.0.0");
    }, 10_000);
  });

  await t.test("with the engine gone hosts keep serving and fleet writes answer 503 naming it; after it returns they converge", async () => {
    await nats.stop();
    // Probed with an add of what is there already, which changes nothing even if the engine still answered.
    await waitFor(async () => (await api(h1, "POST", "/v1/packages", { path: source })).status === 503, 10_000);
    const refused = await api(h2, "POST", `/v1/packages/${NAME}/stop`);
    assert.equal(refused.status, 503);
    assert.equal(refused.body.error.code, "engine_unavailable");
    assert.match(refused.body.error.message, new RegExp(nats.url.replace(/[/.]/g, "\\$&")));
    assert.equal((await api(h3, "GET", "/v1/fleet")).status, 503);
    await answersEverywhere([h1, h2, h3], "hello 2.0.0");
    assert.equal((await api(h1, "GET", `/v1/packages/${NAME}`)).body.state, "running", "a refused write changed nothing");

    await nats.start();
    await writeFile(path.join(source, "deno.json"), JSON.stringify({ name: NAME, version: "3.0.0", exports: "./mod.ts" }));
    await writeFile(path.join(source, "mod.ts"), `export default { fetch: () => new Response("hello 3.0.0") };\n`);
    await waitFor(async () => (await api(h2, "POST", `/v1/packages/${NAME}/upgrade`)).status === 200, 15_000);
    await answersEverywhere([h1, h2, h3], "hello 3.0.0");
    const stopped = await api(h1, "POST", `/v1/packages/${NAME}/stop`);
    assert.equal(stopped.status, 200, JSON.stringify(stopped.body));
    await waitFor(async () => (await Promise.all([h1, h2, h3].map((host) => pkgText(host, NAME)))).every((answer) => answer.status === 503), 15_000);
  });
});
