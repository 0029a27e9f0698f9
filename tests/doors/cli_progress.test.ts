// `isopod add` against a real host on loopback: the host's steps on stderr, one
// line each; stdout the same answer as before, and `--json` still one parseable document.

import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { writePackage } from "../helpers/package_fixture.ts";
import { runCli, type CliRun } from "../helpers/clients/run_cli.ts";
import { ADMIN_TOKEN, useHost, useServer, type TestHost } from "../helpers/use_host.ts";
import { useTmp } from "../helpers/use_tmp.ts";

const SERVE = `export default { fetch() { return new Response("hi"); } };\n`;

async function useCli(t: TestContext): Promise<{ h: TestHost; cli: (args: string[]) => Promise<CliRun> }> {
  const h = await useHost(t);
  h.host.log = () => {};
  const server = await useServer(t, h);
  return { h, cli: (args) => runCli(args, { env: { ISOPOD_URL: server.url, ISOPOD_TOKEN: ADMIN_TOKEN } }) };
}

function assertExit(run: CliRun, code: number): void {
  assert.equal(run.code, code, `exit ${run.code}, expected ${code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
}

test("isopod add prints each step on stderr and the added package on stdout", async (t) => {
  const { cli } = await useCli(t);
  const root = await writePackage(await useTmp(t), "hello", { files: { "mod.ts": SERVE } });
  const run = await cli(["add", root, "--start"]);
  assertExit(run, 0);
  assert.deepEqual(run.stderr.trimEnd().split("\n"), [`resolving ${root}`, "bundling hello", "installing hello", "starting hello"]);
  assert.match(run.stdout, /^added hello\b.*running/);
});

test("isopod add --json keeps stdout one JSON document, the package as the API answers it", async (t) => {
  const { h, cli } = await useCli(t);
  const root = await writePackage(await useTmp(t), "hello", { files: { "mod.ts": SERVE } });
  const run = await cli(["add", root, "--json"]);
  assertExit(run, 0);
  assert.deepEqual(run.json(), (await h.json("GET", "/v1/packages/hello")).body);
  assert.match(run.stderr, /^resolving .*\nbundling hello\ninstalling hello\n$/);
});

test("isopod add --quiet prints nothing on stderr", async (t) => {
  const { cli } = await useCli(t);
  const root = await writePackage(await useTmp(t), "hello", { files: { "mod.ts": SERVE } });
  const run = await cli(["add", root, "--quiet"]);
  assertExit(run, 0);
  assert.equal(run.stderr, "");
  assert.match(run.stdout, /^added hello/);
});

test("a failed isopod add shows the steps it reached, then the host's error and code", async (t) => {
  const { h, cli } = await useCli(t);
  const root = await writePackage(await useTmp(t), "broken", { files: { "mod.ts": `export default { install() { throw new Error("no database"); } };\n` } });
  const human = await cli(["add", root]);
  assertExit(human, 1);
  const lines = human.stderr.trimEnd().split("\n");
  assert.deepEqual(lines.slice(0, 3), [`resolving ${root}`, "bundling broken", "installing broken"]);
  assert.match(lines[3]!, /^isopod: .*no database.*\(install_failed\)/);
  const json = await cli(["add", root, "--json"]);
  assertExit(json, 1);
  assert.equal(json.json().error.code, "install_failed");
  assert.deepEqual((await h.json("GET", "/v1/packages")).body.items, []);
});
