// The control plane survives its sandbox process: a SIGKILL or a V8 fatal
// error takes down only the isolates, /pkg answers 503 meanwhile, and the
// packages that should run come back, in dependency order, with nothing lost.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { configFromEnv, type SandboxConfig } from "../../runtime/config.ts";
import { addGraph } from "../helpers/dependency_fixture.ts";
import { addModule } from "../helpers/add_module.ts";
import {
  isAlive,
  killSandbox,
  packageLog,
  processSandboxOf,
  recordHostLog,
  recordSupervision,
  sandboxPid,
} from "../helpers/sandbox_process.ts";
import { spawnHost, stopHost } from "../helpers/spawn_host.ts";
import { useHost, useServer, ADMIN_TOKEN, type TestHost } from "../helpers/use_host.ts";
import { useTmp } from "../helpers/use_tmp.ts";
import { writePackage } from "../helpers/package_fixture.ts";
import { waitFor } from "../helpers/wait_for.ts";

/** The process sandbox, whatever ISOPOD_SANDBOX says for the rest of the suite. */
const sandboxConfig = (overrides: Partial<SandboxConfig> = {}): SandboxConfig => ({ ...configFromEnv({}).sandbox, mode: "process", ...overrides });

/** Logs "start <name>" when it starts and answers its own name. */
const serving = (name: string) =>
  `export default { start() { console.log(${JSON.stringify(`start ${name}`)}); }, fetch() { return new Response(${JSON.stringify(name)}); } };\n`;

interface Answer {
  name: string;
  status: number;
  code: string | undefined;
  retryAfter: string | null;
  ms: number;
  at: number;
}

/** Requests to /pkg/<name>/ one after another per name, over a real socket, until stopped. */
function traffic(url: string, names: string[]) {
  const answers: Answer[] = [];
  let stopped = false;
  const loop = async (name: string) => {
    while (!stopped) {
      const started = Date.now();
      const response = await fetch(`${url}/pkg/${name}/`, { signal: AbortSignal.timeout(15_000) });
      const text = await response.text();
      const code = response.status === 200 ? undefined : (JSON.parse(text) as { error?: { code?: string } }).error?.code;
      answers.push({ name, status: response.status, code, retryAfter: response.headers.get("retry-after"), ms: Date.now() - started, at: started });
      if (response.status !== 200) await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  const loops = Promise.all(names.map(loop));
  return {
    answers,
    async stop(): Promise<Answer[]> {
      stopped = true;
      await loops;
      return answers;
    },
  };
}

async function stateOf(h: TestHost, name: string): Promise<any> {
  return (await h.json("GET", `/v1/packages/${name}`)).body;
}

async function allRunning(h: TestHost, names: string[]): Promise<boolean> {
  const items = (await h.json("GET", "/v1/packages")).body.items as { name: string; state: string }[];
  return names.every((name) => items.find((item) => item.name === name)?.state === "running");
}

/** What SQLite must still hold after a crash: the packages as recorded, every audit entry, every log line. */
function durable(h: TestHost) {
  const db = h.host.store.db;
  return {
    packages: db.prepare("SELECT name, version, desired_state, integrity, installed_at, folder FROM packages ORDER BY name").all(),
    operations: db.prepare("SELECT id, operation, package, result FROM operations ORDER BY id").all() as { id: number }[],
    logs: db.prepare("SELECT id, package, message FROM logs ORDER BY id").all() as { id: number }[],
  };
}

describe("the sandbox process", () => {
  test("a SIGKILL while packages serve: 503 meanwhile, all back in dependency order, the control plane answers, nothing lost", async (t) => {
    // A slower restart leaves a window in which /pkg must answer for the packages.
    const h = await useHost(t, { sandbox: sandboxConfig({ backoffMs: 500 }) });
    const names = ["base", "app", "canary"];
    await addGraph(t, h, {
      base: { mod: serving("base") },
      app: { deps: { base: "^1.0.0" }, mod: serving("app") },
      canary: { mod: serving("canary") },
    });
    assert.equal((await h.json("POST", "/v1/batch/start", { body: { names: ["app", "canary"] } })).status, 200);
    const server = await useServer(t, h);
    const hostLog = recordHostLog(h);
    const load = traffic(server.url, ["app", "canary"]);
    await waitFor(() => load.answers.filter((a) => a.status === 200).length >= 20, 10_000);
    h.host.logs.flush();
    const before = durable(h);

    const killed = await killSandbox(h);
    const killedAt = Date.now();
    const control: number[] = [];
    await waitFor(async () => {
      control.push((await h.json("GET", "/healthz", { token: null })).status, (await h.json("GET", "/v1/packages")).status);
      return (await allRunning(h, names)) && processSandboxOf(h).pid !== killed;
    }, 30_000);
    await waitFor(() => ["app", "canary"].every((name) => load.answers.some((a) => a.name === name && a.at > killedAt && a.status === 200)), 10_000);
    const answers = await load.stop();

    assert.ok(control.every((status) => status === 200), `control plane answers: ${control.join(",")}`);
    assert.deepEqual([...new Set(answers.map((a) => a.status))].filter((s) => s !== 200 && s !== 503), [], "only 200 and 503");
    const refused = answers.filter((a) => a.status === 503);
    assert.ok(refused.length > 0, "requests while the sandbox process restarts get 503");
    for (const answer of refused) assert.deepEqual([answer.code, answer.retryAfter], ["not_running", "5"]);
    assert.ok(Math.max(...answers.map((a) => a.ms)) < 10_000, "no request hung");
    assert.equal(isAlive(killed), false);

    const after = durable(h);
    assert.deepEqual(after.packages, before.packages, "packages as recorded");
    const ids = new Set(after.operations.map((op) => op.id));
    assert.ok(before.operations.every((op) => ids.has(op.id)), "every audit entry kept");
    const logIds = new Set(after.logs.map((line) => line.id));
    assert.ok(before.logs.every((line) => logIds.has(line.id)), "every log line kept");
    const recovered = h.host.store.operations.list({ limit: 10 }).filter((op) => op.params.reason === "sandbox-restart");
    assert.deepEqual(recovered.map((op) => [op.operation, op.package, op.actor, op.result]).sort(), [
      ["start", "app", "host", "ok"],
      ["start", "base", "host", "ok"],
      ["start", "canary", "host", "ok"],
    ]);

    // Dependency order: base started again before app.
    const since = before.logs.at(-1)!.id;
    const starts = (h.host.store.db.prepare("SELECT message FROM logs WHERE id > ? AND message LIKE 'start %' ORDER BY id").all(since) as { message: string }[]).map(
      (row) => row.message,
    );
    assert.ok(starts.indexOf("start base") >= 0 && starts.indexOf("start base") < starts.indexOf("start app"), starts.join(", "));

    const stats = (await h.json("GET", "/v1/stats")).body.packages as any[];
    for (const name of names) {
      const entry = stats.find((p) => p.name === name);
      assert.equal(entry.failuresByReason["sandbox-crash"], 1, name);
      assert.equal(entry.restarts, 1, name);
    }
    assert.ok(hostLog.some((line) => /killed by SIGKILL; 3 package\(s\) failed with sandbox-crash; restarting it in 500 ms/.test(line)), hostLog.join("\n"));
    assert.ok(hostLog.some((line) => /restarted \(pid \d+\): 3 package\(s\) running again/.test(line)), hostLog.join("\n"));
    const health = (await h.json("GET", "/healthz", { token: null })).body;
    assert.deepEqual([health.sandbox.mode, health.sandbox.state, health.sandbox.crashes], ["process", "up", 1]);
    assert.equal((await fetch(`${server.url}/pkg/canary/`)).status, 200);
  });

  test("calls in flight when it dies fail at once: a waiting request gets 503, a streaming body ends", async (t) => {
    const h = await useHost(t, { sandbox: sandboxConfig() });
    await addModule(
      t,
      h,
      "slow",
      `export default {
        fetch(request) {
          if (new URL(request.url).pathname === "/stream") {
            return new Response(new ReadableStream({
              start(c) { c.enqueue(new TextEncoder().encode("first\\n")); },
              pull() { return new Promise(() => {}); },
            }));
          }
          console.log("waiting");
          return new Promise(() => {});
        },
      };`,
      { start: true, manifest: { isopod: { limits: { timeoutMs: 30000 } } } },
    );
    const server = await useServer(t, h);
    recordHostLog(h);
    const stream = await fetch(`${server.url}/pkg/slow/stream`);
    const reader = stream.body!.getReader();
    assert.equal(new TextDecoder().decode((await reader.read()).value), "first\n");
    const waiting = fetch(`${server.url}/pkg/slow/wait`, { signal: AbortSignal.timeout(20_000) });
    await waitFor(() => packageLog(h, "slow").includes("waiting"), 10_000);

    const killedAt = Date.now();
    await killSandbox(h);
    const answer = await waiting;
    assert.equal(answer.status, 503);
    const body = (await answer.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, "not_running");
    assert.match(body.error.message, /package "slow" is not running: the sandbox process was killed by SIGKILL/);
    await assert.rejects(async () => {
      for (let i = 0; i < 100; i++) if ((await reader.read()).done) throw new Error("ended without an error");
    });
    assert.ok(Date.now() - killedAt < 10_000, "neither call waited for a timeout");
    const slow = await stateOf(h, "slow");
    assert.ok(["failed", "starting", "running"].includes(slow.state));
    await waitFor(async () => (await stateOf(h, "slow")).state === "running", 30_000);
  });

  test("a crash loop is bounded: restarts back off, and past the bound packages stay failed until an operator acts", async (t) => {
    const h = await useHost(t, { sandbox: sandboxConfig({ backoffMs: 50, maxCrashes: 2 }) });
    await addModule(t, h, "steady", serving("steady"), { start: true });
    const events = recordSupervision(h);
    const hostLog = recordHostLog(h);
    for (let crash = 1; crash <= 3; crash++) {
      if (crash > 1) await waitFor(async () => (await stateOf(h, "steady")).state === "running", 30_000);
      await killSandbox(h);
      await waitFor(() => events.filter((e) => e.type === "restart").length === crash, 30_000);
    }
    const crashes = events.flatMap((e) => (e.type === "crash" ? [e.restartInMs] : []));
    const restarts = events.flatMap((e) => (e.type === "restart" ? [e.crashLoop] : []));
    assert.deepEqual(crashes, [50, 100, 200], "the backoff doubles");
    assert.deepEqual(restarts, [false, false, true]);
    assert.ok(hostLog.some((line) => /after 3 crashes in the crash window: a crash loop/.test(line)), hostLog.join("\n"));

    // The process is up again, but the package stays failed until an operator starts it.
    await sandboxPid(h);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const steady = await stateOf(h, "steady");
    assert.deepEqual([steady.state, steady.desiredState, steady.error.code], ["failed", "running", "sandbox-crash"]);
    const started = await h.json("POST", "/v1/packages/steady/start");
    assert.equal(started.body.state, "running", JSON.stringify(started.body));
    assert.equal((await h.request("GET", "/pkg/steady/", { token: null })).status, 200);
  });

  test("a package that makes V8 fail fatally takes down only the sandbox process; the others come back", async (t) => {
    const h = await useHost(t, { sandbox: sandboxConfig() });
    // A Set filled from an iterator grows inside one V8 builtin, where the memory limit cannot interrupt it: the heap
    // runs out, a catastrophic error on Node 20, 22 and 24 alike (a Map grown in a JS loop is ended by the limit on 24).
    // A small heap makes it quick; generous CPU and wall time keep the other limits out of the race. Its own restart
    // policy is off, so "failed" below shows that the recovery does not bring it back (the policy would, after a backoff).
    const bomb = `export default { fetch() { new Set(Array.prototype.keys.call({ length: 2 ** 25 })); } };`;
    const isopod = { limits: { memoryMb: 16, cpuMs: 30_000, timeoutMs: 30_000 }, restart: { maxRestarts: 0 } };
    await addModule(t, h, "bomb", bomb, { start: true, manifest: { isopod } });
    await addModule(t, h, "canary", serving("canary"), { start: true });
    const hostLog = recordHostLog(h);
    const pid = await sandboxPid(h);

    const exploded = await h.json("GET", "/pkg/bomb/", { token: null });
    assert.equal(exploded.status, 503, JSON.stringify(exploded.body));
    assert.equal(exploded.body.error.code, "limit_exceeded");
    assert.equal(exploded.body.error.limit, "memoryMb");

    await waitFor(async () => (await stateOf(h, "canary")).state === "running" && processSandboxOf(h).pid !== pid, 30_000);
    assert.equal(isAlive(pid), false);
    assert.equal((await h.request("GET", "/pkg/canary/", { token: null })).status, 200);
    const failed = await stateOf(h, "bomb");
    assert.equal(failed.state, "failed");
    assert.equal(failed.error.code, "memory");
    assert.match(failed.error.message, /V8 fatal error/);
    assert.ok(hostLog.some((line) => /ended after a V8 fatal error: .*out-of-memory/i.test(line)), hostLog.join("\n"));
    assert.equal((await h.json("GET", "/healthz", { token: null })).status, 200);
  });

  test("closing the host ends its sandbox process", async (t) => {
    const h = await useHost(t, { sandbox: sandboxConfig() });
    await addModule(t, h, "one", serving("one"), { start: true });
    const pid = await sandboxPid(h);
    assert.ok(isAlive(pid));
    await h.host.close();
    assert.equal(isAlive(pid), false);
    assert.equal(h.host.sandboxStatus().mode, "process");
  });

  test("a sandbox process whose control plane is killed ends too: no orphan", async (t) => {
    const dir = await useTmp(t);
    const root = await writePackage(dir, "one", { manifest: {}, files: { "mod.ts": serving("one") } });
    const spawned = await spawnHost(t, { ISOPOD_DATA: `${dir}/data`, ISOPOD_ADMIN_TOKEN: ADMIN_TOKEN, ISOPOD_SANDBOX: "process" });
    const headers = { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" };
    const added = await fetch(`${spawned.url}/v1/packages`, { method: "POST", headers, body: JSON.stringify({ path: root, start: true }) });
    assert.equal(added.status, 200, await added.text());
    const health = (await (await fetch(`${spawned.url}/healthz`)).json()) as { sandbox: { pid: number } };
    assert.ok(isAlive(health.sandbox.pid));
    await stopHost(spawned.child, "SIGKILL");
    await waitFor(() => !isAlive(health.sandbox.pid), 10_000);
  });

  test("ISOPOD_SANDBOX=inline runs the isolates in the host's process; an unknown mode is refused", async (t) => {
    assert.equal(configFromEnv({}).sandbox.mode, "process");
    assert.throws(() => configFromEnv({ ISOPOD_SANDBOX: "thread" }), /ISOPOD_SANDBOX="thread" is neither "process" nor "inline"/);
    const h = await useHost(t, { sandbox: configFromEnv({ ISOPOD_SANDBOX: "inline" }).sandbox });
    await addModule(t, h, "one", serving("one"), { start: true });
    assert.deepEqual((await h.json("GET", "/healthz", { token: null })).body.sandbox, { mode: "inline" });
    assert.equal(await (await h.request("GET", "/pkg/one/", { token: null })).text(), "one");
  });
});
