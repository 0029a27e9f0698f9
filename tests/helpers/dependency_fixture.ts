// Graphs of small packages for dependency tests: each package's hooks log
// "<hook> <name>", so tests can read back what ran, in which order.

import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { TestContext } from "node:test";
import { writePackage } from "./package_fixture.ts";
import type { TestHost } from "./use_host.ts";
import { useTmp } from "./use_tmp.ts";

export interface GraphPackage {
  /** `isopod.dependencies`: name to semver range. */
  deps?: Record<string, string>;
  /** Default 1.0.0. */
  version?: string;
  /** Replaces the hook-logging module. */
  mod?: string;
  /** Merged into `isopod` (limits, autostart). */
  isopod?: Record<string, unknown>;
}

/** A module whose install, start, stop and uninstall hooks each log "<hook> <name>". */
export function hookLogger(name: string): string {
  const hook = (kind: string) => `${kind}() { console.log(${JSON.stringify(`${kind} ${name}`)}); }`;
  return `export default { ${["install", "start", "stop", "uninstall"].map(hook).join(", ")} };\n`;
}

function manifestOf(name: string, spec: GraphPackage): Record<string, unknown> {
  return { name, version: spec.version ?? "1.0.0", isopod: { dependencies: spec.deps ?? {}, ...spec.isopod } };
}

/** Writes and adds the packages in the order given; returns each package's folder. */
export async function addGraph(t: TestContext, h: TestHost, packages: Record<string, GraphPackage>): Promise<Record<string, string>> {
  const dir = await useTmp(t);
  const roots: Record<string, string> = {};
  for (const [name, spec] of Object.entries(packages)) {
    const root = await writePackage(dir, name.replace("/", "+"), {
      manifest: manifestOf(name, spec),
      files: { "mod.ts": spec.mod ?? hookLogger(name) },
    });
    const added = await h.json("POST", "/v1/packages", { body: { path: root } });
    assert.equal(added.status, 200, `adding ${name}: ${JSON.stringify(added.body)}`);
    roots[name] = root;
  }
  return roots;
}

/** Rewrites a package's deno.json in place, as an operator editing a path package would. */
export async function editManifest(root: string, change: (manifest: Record<string, any>) => void): Promise<void> {
  const file = path.join(root, "deno.json");
  const manifest = JSON.parse(await readFile(file, "utf8")) as Record<string, any>;
  change(manifest);
  await writeFile(file, JSON.stringify(manifest, null, 2));
}

/** Every hook line any package logged, in the order logged (install lines left out). */
export function hookEvents(h: TestHost): string[] {
  h.host.logs.flush();
  const rows = h.host.store.db.prepare("SELECT message FROM logs ORDER BY id").all() as { message: string }[];
  return rows.map((row) => row.message).filter((message) => /^(start|stop|uninstall) /.test(message));
}

/** Names whose state is `running`. */
export async function runningNames(h: TestHost): Promise<string[]> {
  const list = await h.json("GET", "/v1/packages");
  return (list.body.items as { name: string; state: string }[]).filter((p) => p.state === "running").map((p) => p.name).sort();
}
