// ISOPOD_SANDBOX_PROCESSES=2: both sandbox processes serve the data port, a
// SIGKILL of one leaves the other serving, and lifecycle calls reach both.

import assert from "node:assert/strict";
import { request } from "node:http";
import { test } from "node:test";
import type { SandboxPool } from "../../sandbox/index.ts";
import { addModule } from "../helpers/add_module.ts";
import { useHost, type TestHost } from "../helpers/use_host.ts";
import { waitFor } from "../helpers/wait_for.ts";

// A module-level id: one per copy of the package, so one per process.
const WHO = `const id = Math.random().toString(36).slice(2);
export default { fetch: () => new Response(id) };`;

const SANDBOX = { mode: "process", backoffMs: 100, maxCrashes: 5, crashWindowMs: 60_000, processes: 2 } as const;

async function poolHost(t: Parameters<typeof useHost>[0]): Promise<{ h: TestHost; pool: SandboxPool; base: string }> {
  const h = await useHost(t, { pkgPort: 0, sandbox: { ...SANDBOX } });
  await addModule(t, h, "@pool/who", WHO, { start: true });
  await waitFor(() => h.host.pkgUrl !== undefined, 10_000);
  return { h, pool: h.host.sandbox as SandboxPool, base: h.host.pkgUrl! };
}

/** One GET on a new connection (the kernel picks the process per connection); a refused connection is tried once more. */
async function getOnce(url: string, retried = false): Promise<{ status: number; body: string }> {
  try {
    return await new Promise((resolve, reject) => {
      const req = request(url, { agent: false, headers: { connection: "close" }, timeout: 5_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on("error", reject);
      });
      req.on("timeout", () => req.destroy(new Error("timed out")));
      req.on("error", reject);
      req.end();
    });
  } catch (error) {
    if (retried) throw error;
    return getOnce(url, true);
  }
}

async function idsOn(base: string, connections: number): Promise<Set<string>> {
  const ids = new Set<string>();
  for (let i = 0; i < connections; i++) {
    const answer = await getOnce(`${base}/pkg/@pool/who/`);
    assert.equal(answer.status, 200, answer.body);
    ids.add(answer.body);
  }
  return ids;
}

test("with two sandbox processes a package answers on the data port from both, and on the admin port", async (t) => {
  const { h, pool, base } = await poolHost(t);
  assert.equal(new Set(pool.pids).size, 2);
  assert.equal(pool.status().processes.length, 2);
  assert.equal((await idsOn(base, 60)).size, 2, "connections reach both processes");
  const viaAdmin = new Set<string>();
  for (let i = 0; i < 6; i++) viaAdmin.add(await (await h.request("GET", "/pkg/@pool/who/", { token: null })).text());
  assert.equal(viaAdmin.size, 2, "the admin port takes turns");
  const isolates = (await h.json("GET", "/v1/isolates")).body;
  assert.equal(JSON.stringify(isolates).split("@pool/who").length - 1 >= 1, true);
});

test("a SIGKILL of one sandbox process leaves the other serving, and the killed one comes back with the package", async (t) => {
  const { pool, base } = await poolHost(t);
  const [victim, survivor] = pool.pids;
  const before = await idsOn(base, 30);
  process.kill(victim!, "SIGKILL");
  // Connections keep being answered throughout (the survivor takes them; one retry covers a connection the dead process held).
  const during = await idsOn(base, 30);
  assert.ok(during.size >= 1);
  await waitFor(() => pool.pids.length === 2 && !pool.pids.includes(victim!), 10_000);
  assert.ok(pool.pids.includes(survivor!));
  // The new process reloaded the package: a third id answers, next to the survivor's. Until its reload is done,
  // the new process answers the package's connections with 503 + Retry-After (docs/sandbox_process.md).
  await waitFor(async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const answer = await getOnce(`${base}/pkg/@pool/who/`);
      if (answer.status !== 200) return false;
      ids.add(answer.body);
    }
    return ids.size === 2 && [...ids].some((id) => !before.has(id));
  }, 10_000);
});

test("stop, start and reload reach every sandbox process", async (t) => {
  const { h, base } = await poolHost(t);
  const first = await idsOn(base, 40);
  assert.equal(first.size, 2);
  assert.equal((await h.json("POST", "/v1/packages/@pool/who/stop")).status, 200);
  for (let i = 0; i < 20; i++) assert.equal((await getOnce(`${base}/pkg/@pool/who/`)).status, 503);
  assert.equal((await h.json("POST", "/v1/packages/@pool/who/start")).status, 200);
  const started = await idsOn(base, 40);
  assert.equal(started.size, 2);
  assert.equal((await h.json("POST", "/v1/packages/@pool/who/reload")).status, 200);
  const reloaded = await idsOn(base, 40);
  assert.equal(reloaded.size, 2);
  for (const id of reloaded) assert.ok(!started.has(id), "every process runs the new copy");
});
