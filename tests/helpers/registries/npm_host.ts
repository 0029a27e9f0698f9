// A test host whose npm registry is a FakeNpm (and JSR one a FakeJsr) on loopback, with small
// dependency bounds a test may override; and a helper that adds and starts a package folder.

import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { dependencyConfigFrom, type DependencyBounds } from "../../../runtime/packages/index.ts";
import type { FakeJsr } from "./fake_jsr.ts";
import type { FakeNpm } from "./fake_npm.ts";
import { useHost, type TestHost } from "../use_host.ts";

export async function useNpmHost(t: TestContext, npm: FakeNpm, bounds: Partial<DependencyBounds> = {}, jsr?: FakeJsr): Promise<TestHost> {
  const config = dependencyConfigFrom({ ISOPOD_NPM_REGISTRY: npm.url, ...(jsr && { ISOPOD_JSR_URL: jsr.url }), HOME: "/nonexistent" });
  return useHost(t, { dependencies: { ...config, bounds: { ...config.bounds, requestTimeoutMs: 2_000, ...bounds } } });
}

/** Adds the folder and starts it; asserts success and returns the package answer. */
export async function addAndStart(host: TestHost, root: string): Promise<any> {
  const added = await host.json("POST", "/v1/packages", { body: { path: root, start: true } });
  assert.equal(added.status, 200, JSON.stringify(added.body));
  return added.body;
}

/** GETs a path of a package on /pkg and returns status and text. */
export async function pkgText(host: TestHost, name: string, path = "/"): Promise<{ status: number; text: string }> {
  const response = await host.request("GET", `/pkg/${name}${path}`, { token: null });
  return { status: response.status, text: await response.text() };
}
