// ctx.registry on a whole host: only declared dependents may use a resource,
// orderly stops withdraw it, a failed provider is answered at once until it
// is back, and GET /v1/resources, the samples and the control pipe show it.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertApiError } from "../helpers/assertions.ts";
import { addModule } from "../helpers/add_module.ts";
import { runCli } from "../helpers/clients/run_cli.ts";
import { ADMIN_TOKEN, useHost, useServer, type TestHost } from "../helpers/use_host.ts";
import { waitFor } from "../helpers/wait_for.ts";
import { parseCommand, runCommand } from "../../runtime/control/commands.ts";
import { controlTargetOf } from "../../runtime/control/target.ts";

const BASE = `
export default {
  start(ctx) {
    ctx.registry.provide("kv", {
      get: (key) => "value of " + key,
      fail() { throw new RangeError("no such key"); },
      die() { setTimeout(() => { throw new Error("the provider fell over"); }, 10); return "dying"; },
    });
    ctx.registry.provide("log", { write: () => true });
    globalThis.ctx = ctx;
  },
  async fetch(request) {
    const what = new URL(request.url).pathname.slice(1);
    try {
      if (what === "again") ctx.registry.provide("kv", { get: () => 1 });
      if (what === "badName") ctx.registry.provide("no spaces", { get: () => 1 });
      if (what === "notFunction") ctx.registry.provide("x", { get: 1 });
      if (what === "then") ctx.registry.provide("y", { then: () => 1 });
      return Response.json({ ok: true });
    } catch (error) {
      return Response.json({ ok: false, name: error.name, message: error.message });
    }
  },
};`;

/** A package whose `GET /<pkg>/<resource>/<method>` uses the resource and calls the method. */
const CALLER = `
let ctx;
export default {
  start(c) { ctx = c; },
  async fetch(request) {
    const [pkg, resource, method] = new URL(request.url).pathname.slice(1).split("/");
    try {
      const handle = await ctx.registry.use(pkg, resource);
      return Response.json({ ok: true, value: method ? await handle[method]("k") : Object.keys(handle) });
    } catch (error) {
      return Response.json({ ok: false, name: error.name, message: error.message, code: error.code ?? null, notCapable: error instanceof Deno.errors.NotCapable });
    }
  },
};`;

const dependsOnBase = { isopod: { dependencies: { base: "^1.0.0" } } };

async function ask(h: TestHost, pkg: string, path: string): Promise<any> {
  const response = await h.request("GET", `/pkg/${pkg}${path}`, { token: null });
  assert.equal(response.status, 200);
  return response.json();
}

async function registryHost(t: Parameters<typeof useHost>[0]): Promise<TestHost> {
  const h = await useHost(t);
  await addModule(t, h, "base", BASE, { start: true });
  await addModule(t, h, "app", CALLER, { start: true, manifest: dependsOnBase });
  await addModule(t, h, "bystander", CALLER, { start: true });
  return h;
}

describe("ctx.registry on a host", () => {
  test("a declared dependent uses the provider's resource", async (t) => {
    const h = await registryHost(t);
    assert.deepEqual(await ask(h, "app", "/base/kv"), { ok: true, value: ["get", "fail", "die"] });
    assert.deepEqual(await ask(h, "app", "/base/kv/get"), { ok: true, value: "value of k" });
    assert.deepEqual(await ask(h, "app", "/base/kv/fail"), { ok: false, name: "RangeError", message: "no such key", code: null, notCapable: false });
  });

  test("a package that does not declare the provider gets Deno.errors.NotCapable naming both packages", async (t) => {
    const h = await registryHost(t);
    assert.deepEqual(await ask(h, "bystander", "/base/kv/get"), {
      ok: false,
      name: "NotCapable",
      message: `package "bystander" cannot use "base/kv": "base" is not in the isopod.dependencies of "bystander"`,
      code: "not_capable",
      notCapable: true,
    });
    const [kv] = (await h.json("GET", "/v1/resources")).body.items;
    assert.equal(kv.calls, 0, "a refused use is not a call");
  });

  test("a resource that does not exist is a clear NotFound that names what the provider has", async (t) => {
    const h = await registryHost(t);
    const answer = await ask(h, "app", "/base/clock");
    assert.deepEqual(answer, {
      ok: false,
      name: "NotFound",
      message: `"base" provides no resource "clock" (it provides: kv, log)`,
      code: "resource_not_found",
      notCapable: false,
    });
    assert.deepEqual((await ask(h, "app", "/base/kv/nope")).ok, false);
  });

  test("a second provide of the same name, a bad name, a member that is not a function or is `then` are refused", async (t) => {
    const h = await registryHost(t);
    assert.deepEqual(await ask(h, "base", "/again"), { ok: false, name: "AlreadyExists", message: `cannot provide "kv": "base" already provides "base/kv"` });
    assert.deepEqual(await ask(h, "base", "/badName"), {
      ok: false,
      name: "TypeError",
      message: `cannot provide "no spaces": a resource name must match ^[A-Za-z0-9._-]{1,128}$`,
    });
    assert.deepEqual(await ask(h, "base", "/notFunction"), { ok: false, name: "TypeError", message: `cannot provide "x": "get" is not a function` });
    assert.match((await ask(h, "base", "/then")).message, /method name "then" must be an identifier other than "then"/);
    const names = (await h.json("GET", "/v1/resources")).body.items.map((item: any) => item.resource);
    assert.deepEqual(names, ["base/kv", "base/log"], "nothing changed");
  });

  test("GET /v1/resources lists each resource with its provider, its declared users and its counters", async (t) => {
    const h = await registryHost(t);
    await addModule(t, h, "idle-user", CALLER, { manifest: dependsOnBase });
    for (let i = 0; i < 3; i++) await ask(h, "app", "/base/kv/get");
    await ask(h, "app", "/base/kv/fail");
    const { status, body } = await h.json("GET", "/v1/resources");
    assert.equal(status, 200);
    const [kv, log] = body.items;
    assert.equal(body.items.length, 2);
    assert.deepEqual({ ...kv, p50Ms: typeof kv.p50Ms, p99Ms: typeof kv.p99Ms, providedAt: typeof kv.providedAt }, {
      resource: "base/kv",
      provider: "base",
      name: "kv",
      methods: ["get", "fail", "die"],
      users: ["app", "idle-user"],
      providedAt: "string",
      calls: 4,
      errors: 1,
      timeouts: 0,
      p50Ms: "number",
      p99Ms: "number",
    });
    assert.ok(kv.p99Ms >= kv.p50Ms);
    assert.deepEqual([log.resource, log.calls, log.p50Ms], ["base/log", 0, null]);
    assert.deepEqual((await h.json("GET", "/v1/resources?provider=app")).body, { items: [] });
    assert.equal((await h.json("GET", "/v1/resources?provider=base")).body.items.length, 2);
  });

  test("GET /v1/resources refuses a bad provider with 400, and needs a token", async (t) => {
    const h = await registryHost(t);
    assertApiError(await h.json("GET", "/v1/resources?provider=Bad%20Name"), 400, "bad_request", /"provider" must be a package name, got "Bad Name"/);
    assert.equal((await h.json("GET", "/v1/resources", { token: null })).status, 401);
    assert.equal((await h.json("GET", "/v1/resources")).body.items.length, 2, "nothing changed");
  });

  test("statistics samples hold the counters of the resources that were called", async (t) => {
    const h = await registryHost(t);
    await ask(h, "app", "/base/kv/get");
    await h.host.sampler.sample();
    const samples = (await h.json("GET", "/v1/stats/samples?resource=base/kv")).body.items;
    assert.equal(samples.length, 1);
    assert.deepEqual({ ...samples[0], at: typeof samples[0].at, p50Ms: typeof samples[0].p50Ms }, {
      at: "string",
      resource: "base/kv",
      provider: "base",
      calls: 1,
      errors: 0,
      timeouts: 0,
      p50Ms: "number",
      p99Ms: samples[0].p99Ms,
    });
    assert.deepEqual((await h.json("GET", "/v1/stats/samples?resource=base/log")).body.items, [], "a resource never called is not sampled");
    assert.equal((await h.json("GET", "/v1/stats")).body.resources[0].resource, "base/kv");
  });

  test("the control pipe's `list res` names the resources", async (t) => {
    const h = await registryHost(t);
    const result = await runCommand(controlTargetOf(h.host), parseCommand("list resources"));
    assert.deepEqual(result, { ok: true, lines: ["list res: base/kv, base/log"] });
  });

  test("`isopod res` shows the resources as a table, and --json gives the API's answer", async (t) => {
    const h = await registryHost(t);
    await ask(h, "app", "/base/kv/get");
    const server = await useServer(t, h);
    const env = { ISOPOD_URL: server.url, ISOPOD_TOKEN: ADMIN_TOKEN };
    const run = await runCli(["res"], { env });
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trim().split("\n");
    assert.match(lines[0]!, /^RESOURCE\s+USERS\s+CALLS\s+ERRORS\s+TIMEOUTS\s+P50 MS\s+P99 MS$/);
    assert.match(lines[1]!, /^base\/kv\s+app\s+1\s+0\s+0\s+\d+\.\d\d\s+\d+\.\d\d$/);
    assert.match(lines[2]!, /^base\/log\s+app\s+0\s+0\s+0\s+-\s+-$/);
    const json = await runCli(["res", "--provider", "base", "--json"], { env });
    assert.deepEqual(json.json().items.map((item: any) => item.resource), ["base/kv", "base/log"]);
    const bad = await runCli(["res", "--provider", "Bad Name"], { env });
    assert.equal(bad.code, 2, bad.stderr);
  });

  test("stopping the provider stops its dependents first and withdraws its resources; starting them brings both back", async (t) => {
    const h = await registryHost(t);
    const stopped = await h.json("POST", "/v1/packages/base/stop");
    assert.equal(stopped.status, 200);
    assert.equal((await h.json("GET", "/v1/packages/app")).body.state, "installed");
    assert.deepEqual((await h.json("GET", "/v1/resources")).body, { items: [] });
    assert.equal((await h.json("POST", "/v1/packages/app/start")).status, 200);
    assert.deepEqual(await ask(h, "app", "/base/kv/get"), { ok: true, value: "value of k" });
  });

  test("when the provider fails, its dependents keep running and get provider_not_running until it is started again", async (t) => {
    const h = await registryHost(t);
    assert.deepEqual(await ask(h, "app", "/base/kv/die"), { ok: true, value: "dying" });
    await waitFor(async () => (await h.json("GET", "/v1/packages/base")).body.state === "failed");
    assert.equal((await h.json("GET", "/v1/packages/app")).body.state, "running");
    assert.deepEqual(await ask(h, "app", "/base/kv/get"), {
      ok: false,
      name: "ConnectionRefused",
      message: `cannot use "base/kv": provider "base" is not running`,
      code: "provider_not_running",
      notCapable: false,
    });
    assert.equal((await h.json("POST", "/v1/packages/base/start")).status, 200);
    assert.deepEqual(await ask(h, "app", "/base/kv/get"), { ok: true, value: "value of k" });
  });

  test("a reload of the provider restarts its dependents, and their calls work after it", async (t) => {
    const h = await registryHost(t);
    const reload = await h.json("POST", "/v1/batch/reload", { body: { names: ["base"] } });
    assert.equal(reload.status, 200, JSON.stringify(reload.body));
    assert.deepEqual(await ask(h, "app", "/base/kv/get"), { ok: true, value: "value of k" });
  });
});
