// Conformance: every example package and every package in
// tests/fixtures/conformance runs under the real `deno serve -P` and in
// isopod; the same requests get the same answers (see docs/sandbox.md).

import assert from "node:assert/strict";
import { cp, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, test } from "node:test";
import { comparable } from "../helpers/clients/compare_answers.ts";
import { denoServe } from "../helpers/clients/deno_serve.ts";
import { useEchoServer } from "../helpers/echo_server.ts";
import { rawRequest, type RawRequest } from "../helpers/clients/raw_request.ts";
import { useHost, useServer } from "../helpers/use_host.ts";
import { useTmp } from "../helpers/use_tmp.ts";
import { ROOT } from "../helpers/paths.ts";

const FIXTURES = path.join(ROOT, "tests/fixtures/conformance");

interface Scenario {
  env?: Record<string, string>;
  /** The module calls Deno.serve itself: Deno runs it with `deno run` (tests/helpers/clients/deno_serve.ts). */
  run?: boolean;
  requests: RawRequest[];
}

const HELLO: Scenario = {
  requests: [{ path: "/" }, { path: "/greet?name=isopod" }, { path: "/a/b/?name=%C3%A9" }, { method: "POST", path: "/", body: "ignored" }],
};

/** Copies a package to a temp folder, replacing `__ECHO__` with the echo server's host in deno.json and requests.json. */
async function prepare(dir: string, into: string, echo: string): Promise<{ root: string; scenario: Scenario; name: string }> {
  const root = path.join(into, path.basename(dir));
  await cp(dir, root, { recursive: true });
  await mkdir(path.join(root, "data"), { recursive: true });
  for (const file of ["deno.json", "requests.json"]) {
    const text = await readFile(path.join(root, file), "utf8").catch(() => undefined);
    if (text !== undefined) await writeFile(path.join(root, file), text.replaceAll("__ECHO__", echo));
  }
  const scenarioText = await readFile(path.join(root, "requests.json"), "utf8").catch(() => undefined);
  const scenario = scenarioText === undefined ? HELLO : (JSON.parse(scenarioText) as Scenario);
  const { name } = JSON.parse(await readFile(path.join(root, "deno.json"), "utf8")) as { name: string };
  return { root, scenario, name };
}

/** Requests compared with Deno in this run; reported once at the end (docs/decisions.md names the figure). */
let compared = 0;
after(() => console.log(`# conformance: ${compared} requests compared with Deno`));

const packages = [
  path.join(ROOT, "packages/hello"),
  ...(await readdir(FIXTURES)).sort().map((folder) => path.join(FIXTURES, folder)),
];

for (const dir of packages) {
  test(`${path.basename(dir)} answers in isopod as it does under deno serve`, async (t) => {
    const tmp = await useTmp(t, "isopod-conformance-");
    const echo = await useEchoServer(t);
    const { root, scenario, name } = await prepare(dir, tmp, echo.host);
    const deno = await denoServe(t, root, { ...(scenario.env && { env: scenario.env }), ...(scenario.run && { run: true }) });
    const testHost = await useHost(t);
    const server = await useServer(t, testHost);
    const added = await testHost.json("POST", "/v1/packages", {
      body: { path: root, grant: "requested", start: true, ...(scenario.env && { env: scenario.env }) },
    });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    for (const request of scenario.requests) {
      const fromDeno = await rawRequest(deno.url, request);
      const fromIsopod = await rawRequest(server.url, { ...request, path: `/pkg/${name}${request.path}` });
      const label = `${request.method ?? "GET"} ${request.path}`;
      assert.deepEqual(comparable(fromIsopod, fromDeno), comparable(fromDeno, fromIsopod), `${label} differs (actual: isopod, expected: deno)`);
      compared++;
    }
  });
}
