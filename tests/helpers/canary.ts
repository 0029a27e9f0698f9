// A well-behaved package and a prober that keeps asking it, and the control
// plane, while a hostile package misbehaves: the hostile tests' witnesses.

import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { addModule } from "./add_module.ts";
import type { TestHost } from "./use_host.ts";

/** Generous: the machine is shared, and a witness only has to show the host was not stalled. */
export const CANARY_LATENCY_BOUND_MS = 3_000;

export interface Canary {
  /** Stops probing and asserts every answer came, right and within the bound. */
  check(): Promise<{ probes: number; maxLatencyMs: number }>;
}

interface Probe {
  what: string;
  status: number;
  ms: number;
}

async function timed(what: string, send: () => Promise<Response>): Promise<Probe> {
  const started = performance.now();
  const response = await send();
  const text = await response.text();
  const ok = what === "canary" ? text === "canary ok" : true;
  return { what, status: ok ? response.status : -1, ms: performance.now() - started };
}

/** Adds and starts the canary, then probes it, `/healthz` and the package list every 50 ms until `check()`. */
export async function useCanary(t: TestContext, h: TestHost): Promise<Canary> {
  await addModule(t, h, "canary", `export default { fetch() { return new Response("canary ok"); } };`, { start: true });
  const probes: Probe[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      probes.push(await timed("canary", () => h.request("GET", "/pkg/canary/", { token: null })));
      probes.push(await timed("healthz", () => h.request("GET", "/healthz", { token: null })));
      probes.push(await timed("list", () => h.request("GET", "/v1/packages")));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  const stop = async () => {
    running = false;
    await loop;
  };
  t.after(stop);
  return {
    check: async () => {
      await stop();
      const bad = probes.filter((probe) => probe.status !== 200);
      assert.deepEqual(bad, [], "the canary or the control plane failed to answer");
      const maxLatencyMs = Math.max(...probes.map((probe) => probe.ms));
      assert.ok(probes.length >= 3, `only ${probes.length} probes`);
      assert.ok(maxLatencyMs < CANARY_LATENCY_BOUND_MS, `an answer took ${Math.round(maxLatencyMs)} ms`);
      return { probes: probes.length, maxLatencyMs };
    },
  };
}

export interface StoreSnapshot {
  operationIds: number[];
  packages: string[];
}

/** What SQLite holds now: every audit entry and package, to check later that nothing was lost. */
export function snapshotStore(h: TestHost): StoreSnapshot {
  const db = h.host.store.db;
  return {
    operationIds: (db.prepare("SELECT id FROM operations ORDER BY id").all() as { id: number }[]).map((row) => row.id),
    packages: (db.prepare("SELECT name FROM packages ORDER BY name").all() as { name: string }[]).map((row) => row.name),
  };
}

/** Asserts the database is sound and still holds everything `before` held. */
export function assertNothingLost(h: TestHost, before: StoreSnapshot): void {
  const db = h.host.store.db;
  assert.equal((db.prepare("PRAGMA integrity_check").get() as { integrity_check: string }).integrity_check, "ok");
  const after = snapshotStore(h);
  assert.deepEqual(before.operationIds.filter((id) => !after.operationIds.includes(id)), [], "audit entries were lost");
  assert.deepEqual(before.packages.filter((name) => !after.packages.includes(name)), [], "packages were lost");
}
