// The CLI's commands for routes that land with other issues (batch, reload,
// upgrade, logs and logs -f, stat, ops), against a stand-in host that answers
// in docs/reference/api.md's shapes. Each is tested again against a real host at merge.

import assert from "node:assert/strict";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { AddressInfo } from "node:net";
import { describe, test, type TestContext } from "node:test";
import { runCli, type CliRun } from "../helpers/clients/run_cli.ts";

const pkg = (name: string, state: string) => ({
  name,
  version: "1.0.0",
  state,
  desiredState: state === "running" ? "running" : "stopped",
  source: { kind: "path", path: `/srv/${name}` },
  error: null,
  permissions: { requested: {}, granted: {} },
  dependencies: {},
  integrity: `sha256-${"0".repeat(64)}`,
  installedAt: "2025-01-01T00:00:00.000Z",
  updatedAt: "2025-01-01T00:00:00.000Z",
});

interface StandIn {
  env: Record<string, string>;
  /** Requests seen, as "METHOD /path?query body". */
  seen: string[];
}

async function useStandIn(t: TestContext): Promise<StandIn> {
  const seen: string[] = [];
  const app = new Hono();
  app.use("*", async (c, next) => {
    const body = c.req.method === "GET" ? "" : await c.req.text();
    seen.push(`${c.req.method} ${c.req.url.replace(/^http:\/\/[^/]+/, "")}${body ? ` ${body}` : ""}`);
    await next();
  });
  app.post("/v1/packages/:name/reload", (c) => c.json(pkg(decodeURIComponent(c.req.param("name")), "running")));
  app.post("/v1/packages/:name/upgrade", (c) => c.json({ error: { code: "upgrade_failed", message: `cannot upgrade "${c.req.param("name")}": new version fails to start`, rolledBack: true } }, 422));
  app.post("/v1/batch/:op", async (c) => {
    const { names } = (await c.req.json()) as { names: string[] };
    return c.json({
      items: names.map((name) =>
        name === "ghost" ? { name, ok: false, error: { code: "not_found", message: `package "ghost" is not installed` } } : { name, ok: true, package: pkg(name, "running") },
      ),
    });
  });
  app.get("/v1/packages/:name/logs", (c) => {
    const entries = [
      { ts: "2025-01-01T00:00:00.000Z", level: "info", message: "hello started" },
      { ts: "2025-01-01T00:00:01.000Z", level: "error", message: "oops" },
    ];
    if (c.req.query("follow") !== "true") return c.json({ items: entries });
    return streamSSE(c, async (stream) => {
      for (const entry of entries) await stream.writeSSE({ event: "log", data: JSON.stringify(entry) });
      await stream.writeSSE({ event: "ping", data: "{}" });
    });
  });
  app.get("/v1/stats", (c) => c.json({ packages: { running: 1, installed: 2 }, isolates: 1, host: { rssBytes: 1000 } }));
  app.get("/v1/operations", (c) =>
    c.json({
      items: [{ id: 2, at: "2025-01-01T00:00:02.000Z", actor: "ci", operation: "start", package: "a", params: {}, result: "error", error: { code: "start_failed", message: "boom" }, durationMs: 12 }],
    }),
  );
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, () => resolve(s));
  });
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return { env: { ISOPOD_URL: `http://127.0.0.1:${port}`, ISOPOD_TOKEN: "t" }, seen };
}

function assertExit(run: CliRun, code: number): void {
  assert.equal(run.code, code, `exit ${run.code}, expected ${code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
}

describe("isopod CLI against a stand-in host for routes of other issues", () => {
  test("start with several names is one batch; a failed name is exit 1 and named", async (t) => {
    const s = await useStandIn(t);
    const run = await runCli(["start", "a", "@acme/b", "ghost"], { env: s.env });
    assertExit(run, 1);
    assert.deepEqual(s.seen, [`POST /v1/batch/start {"names":["a","@acme/b","ghost"]}`]);
    assert.match(run.stdout, /^NAME\s+RESULT\na\s+running\n@acme\/b\s+running\nghost\s+failed: package "ghost" is not installed \(not_found\)$/m);
    assert.match(run.stderr, /start failed for "ghost"/);
    const notIsopod = await runCli(["stop", "a"], { env: s.env });
    assertExit(notIsopod, 3);
    assert.match(notIsopod.stderr, /answered 404 with something that is not JSON; is ISOPOD_URL an isopod host\?/);
    const batch = await runCli(["reload", "a", "@acme/b", "--json"], { env: s.env });
    assertExit(batch, 0);
    assert.deepEqual(batch.json().items.map((i: any) => i.name), ["a", "@acme/b"]);
  });

  test("reload and upgrade of one name use the package's route; a failed upgrade says why", async (t) => {
    const s = await useStandIn(t);
    const reload = await runCli(["reload", "@acme/b"], { env: s.env });
    assertExit(reload, 0);
    assert.equal(reload.stdout.trim(), "@acme/b 1.0.0 running");
    const upgrade = await runCli(["upgrade", "a"], { env: s.env });
    assertExit(upgrade, 1);
    assert.match(upgrade.stderr, /^isopod: cannot upgrade "a": new version fails to start \(upgrade_failed\)$/m);
    assert.deepEqual(s.seen, ["POST /v1/packages/%40acme%2Fb/reload", "POST /v1/packages/a/upgrade"]);
  });

  test("logs prints lines, -n asks for a tail, --json gives the answer", async (t) => {
    const s = await useStandIn(t);
    const run = await runCli(["logs", "a", "-n", "2"], { env: s.env });
    assertExit(run, 0);
    assert.equal(run.stdout, "2025-01-01 00:00:00Z info  hello started\n2025-01-01 00:00:01Z error oops\n");
    assert.equal(s.seen[0], "GET /v1/packages/a/logs?tail=2");
    const json = await runCli(["logs", "a", "--json"], { env: s.env });
    assert.equal(json.json().items.length, 2);
  });

  test("logs -f follows server-sent log events until the stream ends; --json gives one JSON line each", async (t) => {
    const s = await useStandIn(t);
    const run = await runCli(["logs", "-f", "a"], { env: s.env });
    assertExit(run, 0);
    assert.equal(run.stdout, "2025-01-01 00:00:00Z info  hello started\n2025-01-01 00:00:01Z error oops\n");
    assert.equal(s.seen[0], "GET /v1/packages/a/logs?follow=true");
    const json = await runCli(["logs", "--follow", "a", "--json"], { env: s.env });
    assert.deepEqual(json.stdout.trim().split("\n").map((line) => JSON.parse(line).message), ["hello started", "oops"]);
  });

  test("stat prints every figure; ops prints the audit log as a table", async (t) => {
    const s = await useStandIn(t);
    const stat = await runCli(["stat"], { env: s.env });
    assertExit(stat, 0);
    assert.equal(stat.stdout, "packages.running: 1\npackages.installed: 2\nisolates: 1\nhost.rssBytes: 1000\n");
    const ops = await runCli(["ops", "--package", "a", "-n", "5"], { env: s.env });
    assertExit(ops, 0);
    assert.match(ops.stdout, /^AT\s+ACTOR\s+OPERATION\s+PACKAGE\s+RESULT\s+MS\s+ERROR\n2025-01-01 00:00:02Z\s+ci\s+start\s+a\s+error\s+12\s+start_failed: boom$/m);
    assert.deepEqual(s.seen, ["GET /v1/stats", "GET /v1/operations?package=a&limit=5"]);
  });
});
