// The `isopod` CLI as a subprocess against a real host on a loopback port:
// every command whose route this host has, its --json output and exit codes.

import assert from "node:assert/strict";
import { createServer } from "node:net";
import path from "node:path";
import { describe, test, type TestContext } from "node:test";
import { assertNothingInstalled } from "../helpers/assertions.ts";
import { writePackage } from "../helpers/package_fixture.ts";
import { runCli, type CliRun } from "../helpers/clients/run_cli.ts";
import { spawnHost } from "../helpers/spawn_host.ts";
import { ADMIN_TOKEN, useHost, useServer, type TestHost } from "../helpers/use_host.ts";
import { useTmp } from "../helpers/use_tmp.ts";
import { waitFor } from "../helpers/wait_for.ts";
import { HELLO } from "../helpers/paths.ts";


interface CliHost {
  h: TestHost;
  env: Record<string, string>;
  cli(args: string[], options?: { env?: Record<string, string>; cwd?: string }): Promise<CliRun>;
}

async function useCliHost(t: TestContext): Promise<CliHost> {
  const h = await useHost(t);
  h.host.log = () => {};
  const server = await useServer(t, h);
  const env = { ISOPOD_URL: server.url, ISOPOD_TOKEN: ADMIN_TOKEN };
  return { h, env, cli: (args, options = {}) => runCli(args, { ...options, env: { ...env, ...options.env } }) };
}

/** Asserts the exit code, showing the output when it differs. */
function assertExit(run: CliRun, code: number): void {
  assert.equal(run.code, code, `exit ${run.code}, expected ${code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
}

/** One line on stderr that names the problem; with `afterSteps`, after the add's step lines (docs/cli.md#output). */
function assertOneLineError(run: CliRun, pattern: RegExp, options: { afterSteps?: boolean } = {}): void {
  let lines = run.stderr.trim().split("\n");
  if (options.afterSteps) lines = lines.slice(lines.findIndex((line) => line.startsWith("isopod: ")));
  assert.equal(lines.length, 1, `expected one line on stderr:\n${run.stderr}`);
  assert.match(lines[0]!, pattern);
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("isopod CLI: packages", () => {
  test("ls on an empty host: a hint for people, an empty list for scripts", async (t) => {
    const c = await useCliHost(t);
    const human = await c.cli(["ls"]);
    assertExit(human, 0);
    assert.match(human.stdout, /no packages; add one with isopod add/);
    const json = await c.cli(["ls", "--json"]);
    assertExit(json, 0);
    assert.deepEqual(json.json(), { items: [] });
  });

  test("add a folder relative to here, start, info, ls, stop, rm", async (t) => {
    const c = await useCliHost(t);
    const added = await c.cli(["add", "hello", "--start"], { cwd: path.dirname(HELLO) });
    assertExit(added, 0);
    assert.equal(added.stdout.trim(), "added @isopod/hello 1.0.0 running");
    const ls = await c.cli(["ls"]);
    assert.match(ls.stdout, /^NAME\s+VERSION\s+STATE\s+DESIRED\s+SOURCE\n@isopod\/hello\s+1\.0\.0\s+running\s+running\s+\/.*packages\/hello$/m);
    const info = await c.cli(["info", "@isopod/hello"]);
    assertExit(info, 0);
    assert.match(info.stdout, /^state:\s+running \(desired: running\)$/m);
    assert.match(info.stdout, /^integrity:\s+sha256-[0-9a-f]{64}$/m);
    const infoJson = await c.cli(["info", "@isopod/hello", "--json"]);
    assert.deepEqual(infoJson.json(), (await c.h.json("GET", "/v1/packages/@isopod/hello")).body);
    const stopped = await c.cli(["stop", "@isopod/hello", "--json"]);
    assertExit(stopped, 0);
    assert.equal(stopped.json().state, "installed");
    const started = await c.cli(["start", "@isopod/hello"]);
    assert.equal(started.stdout.trim(), "@isopod/hello 1.0.0 running");
    const removed = await c.cli(["rm", "@isopod/hello"]);
    assertExit(removed, 0);
    assert.equal(removed.stdout.trim(), "deleted @isopod/hello");
    await assertNothingInstalled(c.h);
    const ops = c.h.host.store.operations.list({}).map((op) => `${op.actor} ${op.operation}`);
    // `add --start` starts inside the add, so its start entry is written before the add's own.
    assert.deepEqual(ops.reverse(), ["env-admin start", "env-admin add", "env-admin stop", "env-admin start", "env-admin delete"]);
  });

  test("add grants like Deno: --allow-net=hosts, bare --allow-env, --allow-read, --allow-write, and -P", async (t) => {
    const c = await useCliHost(t);
    const root = await writePackage(await useTmp(t), "asks", {
      manifest: { permissions: { default: { net: ["api.example.com", "other.example.com"], env: ["TZ"], read: true, write: true } } },
    });
    const added = await c.cli(["add", "--allow-env", root, "--allow-net=api.example.com", "--allow-read", "--allow-write", "--json"]);
    assertExit(added, 0);
    const granted = added.json().permissions.granted;
    assert.deepEqual(granted.net.allow, ["api.example.com"]);
    assert.deepEqual(granted.env.allow, ["TZ"]);
    assert.equal(granted.read.allow, true);
    assert.equal(granted.write.allow, true);
    await c.cli(["rm", "asks"]);
    const requested = await c.cli(["add", root, "-P", "--json"]);
    assert.deepEqual(requested.json().permissions.granted.net.allow, ["api.example.com", "other.example.com"]);
  });

  test("add passes --env and --config to the package", async (t) => {
    const c = await useCliHost(t);
    const root = await writePackage(await useTmp(t), "configured", {
      files: { "mod.ts": `export default { install(ctx) { console.log("greeting", ctx.config.greeting); } };` },
    });
    assertExit(await c.cli(["add", root, "--env", "TZ=UTC", "--env", "MODE=a=b", "--config", '{"greeting":"hi"}']), 0);
    assert.deepEqual(c.h.host.store.packages.get("configured")!.env, { TZ: "UTC", MODE: "a=b" });
    assert.deepEqual(c.h.host.logs.tail("configured", 5).map((e) => e.message), ["greeting hi"]);
  });

  test("shows progress on stderr while a long add runs, and none with --quiet", async (t) => {
    const c = await useCliHost(t);
    const root = await writePackage(await useTmp(t), "slow", {
      manifest: { isopod: { limits: { timeoutMs: 10_000 } } },
      files: { "mod.ts": `export default { install() { return new Promise((r) => setTimeout(r, 2600)); } };` },
    });
    const run = await c.cli(["add", root, "--json"]);
    assertExit(run, 0);
    assert.match(run.stderr, /^isopod: still adding .*slow \(\d+\.\d s\)$/m);
    assert.equal(run.json().name, "slow");
    await c.cli(["rm", "slow"]);
    const quiet = await c.cli(["add", root, "--quiet"]);
    assertExit(quiet, 0);
    assert.equal(quiet.stderr, "");
  });

  test("--timeout gives up waiting with exit 3 and says the operation may still run", async (t) => {
    const c = await useCliHost(t);
    const root = await writePackage(await useTmp(t), "slower", {
      manifest: { isopod: { limits: { timeoutMs: 10_000 } } },
      files: { "mod.ts": `export default { install() { return new Promise((r) => setTimeout(r, 3000)); } };` },
    });
    const run = await c.cli(["add", root, "--timeout", "1", "--quiet"]);
    assertExit(run, 3);
    assertOneLineError(run, /no answer from http:\/\/127\.0\.0\.1:\d+ within 1 s; the operation may still be running/);
    // It was: the host finishes the add on its own.
    await waitFor(() => c.h.host.store.packages.get("slower")?.state === "installed", 10_000);
  });
});

describe("isopod CLI: errors in one line, with exit codes scripts rely on", () => {
  test("an unknown package: exit 1, what to do on stderr, the API's error under --json", async (t) => {
    const c = await useCliHost(t);
    const run = await c.cli(["info", "nope"]);
    assertExit(run, 1);
    assertOneLineError(run, /^isopod: package "nope" is not installed \(not_found\); see isopod ls$/);
    assert.equal(run.stdout, "");
    const json = await c.cli(["start", "nope", "--json"]);
    assertExit(json, 1);
    assert.equal(json.json().error.code, "not_found");
  });

  test("a package that fails to install: exit 1 and nothing installed", async (t) => {
    const c = await useCliHost(t);
    const root = await writePackage(await useTmp(t), "broken", { files: { "mod.ts": `export default { install() { throw new Error("disk on fire"); } };` } });
    const run = await c.cli(["add", root]);
    assertExit(run, 1);
    assertOneLineError(run, /disk on fire \(install_failed\)/, { afterSteps: true });
    await assertNothingInstalled(c.h);
  });

  test("input the host refuses (400) is a usage error: exit 2", async (t) => {
    const c = await useCliHost(t);
    const run = await c.cli(["add", "/nonexistent/folder"]);
    assertExit(run, 2);
    assertOneLineError(run, /path "\/nonexistent\/folder" does not exist on the host \(bad_request\)/, { afterSteps: true });
  });

  test("a wrong command line is exit 2 and changes nothing", async (t) => {
    const c = await useCliHost(t);
    const cases: [string[], RegExp][] = [
      [["bogus"], /unknown command 'bogus'/],
      [["add"], /missing required argument 'source'/],
      [["add", HELLO, "-P", "--allow-net"], /-P grants what the package requests; leave out --allow-net/],
      [["add", HELLO, "--allow-net="], /--allow-net= needs a value/],
      [["add", HELLO, "--env", "NOEQUALS"], /--env "NOEQUALS" must look like NAME=value/],
      [["add", HELLO, "--config", "[1]"], /--config must be a JSON object/],
      [["ls", "--timeout", "soon"], /--timeout "soon" is not a number of seconds/],
      [["token", "create", "x", "--role", "root"], /--role "root" must be admin or viewer/],
      [["logs", "x", "-n", "0"], /--lines "0" must be a whole number above 0/],
      [["init", path.join(import.meta.dirname, "NOT A NAME!"), "--name", "Bad"], /"Bad" is not a valid package name/],
    ];
    for (const [args, message] of cases) {
      const run = await c.cli(args);
      assertExit(run, 2);
      assert.match(run.stderr, message, args.join(" "));
    }
    await assertNothingInstalled(c.h);
    assert.equal(c.h.host.store.tokens.count(), 0);
  });

  test("no token, a bad token, or a viewer's token for a change: exit 4", async (t) => {
    const c = await useCliHost(t);
    const none = await c.cli(["ls"], { env: { ISOPOD_TOKEN: "" } });
    assertExit(none, 4);
    assertOneLineError(none, /^isopod: no token: set ISOPOD_TOKEN, or run where a local host keeps its data/);
    const bad = await c.cli(["ls"], { env: { ISOPOD_TOKEN: "isopod_0000000000000000_nope" } });
    assertExit(bad, 4);
    assertOneLineError(bad, /invalid or revoked token \(unauthorized\); check ISOPOD_TOKEN/);
    const { token } = c.h.host.tokens.create("reader", "viewer");
    assertExit(await c.cli(["ls"], { env: { ISOPOD_TOKEN: token } }), 0);
    const forbidden = await c.cli(["add", HELLO], { env: { ISOPOD_TOKEN: token } });
    assertExit(forbidden, 4);
    assertOneLineError(forbidden, /viewer token cannot POST .* \(forbidden\); use an admin token/);
    await assertNothingInstalled(c.h);
  });

  test("a host that is not there: exit 3 and how to start one", async () => {
    const port = await closedPort();
    const run = await runCli(["ls"], { env: { ISOPOD_URL: `http://127.0.0.1:${port}`, ISOPOD_TOKEN: "x" } });
    assertExit(run, 3);
    assertOneLineError(run, new RegExp(`cannot reach the isopod host at http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\); is it running\\? start one with isopod serve`));
    const json = await runCli(["ls", "--json"], { env: { ISOPOD_URL: `http://127.0.0.1:${port}`, ISOPOD_TOKEN: "x" } });
    assert.equal(json.json().error.code, "cli");
  });

  test("--help and --version exit 0 and document the exit codes", async () => {
    const help = await runCli(["--help"]);
    assertExit(help, 0);
    assert.match(help.stdout, /Exit codes: 0 ok, 1 the operation failed, 2 usage/);
    const version = await runCli(["--version"]);
    assertExit(version, 0);
    assert.equal(version.stdout.trim(), `0.1.0 (Node.js ${process.version})`);
  });
});

describe("isopod CLI: tokens", () => {
  test("create prints only the secret on stdout, ls shows no secret, revoke ends it", async (t) => {
    const c = await useCliHost(t);
    const created = await c.cli(["token", "create", "ci"]);
    assertExit(created, 0);
    const token = created.stdout.trim();
    assert.match(token, /^isopod_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    assert.match(created.stderr, /token "ci" \(viewer, id [0-9a-f]{16}\) created; it is shown only now/);
    assertExit(await c.cli(["ls"], { env: { ISOPOD_TOKEN: token } }), 0);
    const listed = await c.cli(["token", "ls"]);
    assert.match(listed.stdout, /^ID\s+NAME\s+ROLE\s+CREATED\s+LAST USED\s+REVOKED\n[0-9a-f]{16}\s+ci\s+viewer\s/m);
    assert.ok(!listed.stdout.includes(token.slice("isopod_".length + 17)));
    const id = (await c.cli(["token", "ls", "--json"])).json().items[0].id;
    const revoked = await c.cli(["token", "revoke", id]);
    assertExit(revoked, 0);
    assert.equal(revoked.stdout.trim(), `revoked "ci" (${id})`);
    assertExit(await c.cli(["ls"], { env: { ISOPOD_TOKEN: token } }), 4);
    assertExit(await c.cli(["token", "revoke", id]), 1);
  });

  test("an admin token for scripts, with --json", async (t) => {
    const c = await useCliHost(t);
    const created = await c.cli(["token", "create", "deploy", "--role", "admin", "--json"]);
    assertExit(created, 0);
    const body = created.json();
    assert.equal(body.role, "admin");
    assertExit(await c.cli(["add", HELLO], { env: { ISOPOD_TOKEN: body.token } }), 0);
    assert.equal(c.h.host.store.operations.list({}).find((op) => op.operation === "add")?.actor, "deploy");
  });
});

describe("isopod CLI against a host started as npm start starts it", () => {
  test("finds the admin token of a local host in ./.isopod and drives it", async (t) => {
    const dir = await useTmp(t);
    const host = await spawnHost(t, { ISOPOD_DATA: path.join(dir, ".isopod") });
    const env = { ISOPOD_URL: host.url };
    const added = await runCli(["add", HELLO, "--start", "--json"], { cwd: dir, env });
    assertExit(added, 0);
    assert.equal(added.json().state, "running");
    const ls = await runCli(["ls"], { cwd: dir, env });
    assert.match(ls.stdout, /@isopod\/hello\s+1\.0\.0\s+running/);
    assertExit(await runCli(["stop", "@isopod/hello"], { cwd: dir, env }), 0);
    assertExit(await runCli(["rm", "@isopod/hello"], { cwd: dir, env }), 0);
    const elsewhere = await runCli(["ls"], { env });
    assertExit(elsewhere, 4);
  });
});
