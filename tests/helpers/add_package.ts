// Writes a package from inline files, adds it to a test host with a grant
// and starts it: the one-liner the sandbox tests share.

import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { writePackage, type PackageFixture } from "./package_fixture.ts";
import type { TestHost } from "./use_host.ts";
import { useTmp } from "./use_tmp.ts";

export interface AddedPackage {
  root: string;
  name: string;
  /** GET (or another method) on /pkg/<name><path>, without a token; the body as text. */
  call(path: string, init?: { method?: string; body?: string }): Promise<{ status: number; text: string; headers: Headers }>;
}

export async function addPackage(
  t: TestContext,
  testHost: TestHost,
  name: string,
  fixture: PackageFixture & { grant?: unknown; env?: Record<string, string> },
): Promise<AddedPackage> {
  const dir = await useTmp(t, "isopod-pkg-");
  const root = await writePackage(dir, name, fixture);
  const body = { path: root, start: true, ...(fixture.grant !== undefined && { grant: fixture.grant }), ...(fixture.env && { env: fixture.env }) };
  const added = await testHost.json("POST", "/v1/packages", { body });
  assert.equal(added.status, 200, JSON.stringify(added.body));
  return {
    root,
    name,
    call: async (path, init = {}) => {
      const response = await testHost.request(init.method ?? "GET", `/pkg/${name}${path}`, {
        token: null,
        ...(init.body !== undefined && { body: init.body, headers: { "content-type": "text/plain" } }),
      });
      return { status: response.status, text: await response.text(), headers: response.headers };
    },
  };
}
