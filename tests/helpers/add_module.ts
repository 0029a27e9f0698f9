// Adds (and optionally starts) a package written from one module source, for
// tests that are about what a running package does, not about adding it.

import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { writePackage } from "./package_fixture.ts";
import type { TestHost } from "./use_host.ts";
import { useTmp } from "./use_tmp.ts";

export async function addModule(
  t: TestContext,
  h: TestHost,
  name: string,
  mod: string,
  options: { manifest?: Record<string, unknown>; start?: boolean } = {},
): Promise<string> {
  const root = await writePackage(await useTmp(t), name, { manifest: options.manifest ?? {}, files: { "mod.ts": mod } });
  const added = await h.json("POST", "/v1/packages", { body: { path: root, start: options.start ?? false } });
  assert.equal(added.status, 200, JSON.stringify(added.body));
  if (options.start) assert.equal(added.body.state, "running", JSON.stringify(added.body));
  return root;
}
