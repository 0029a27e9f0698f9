// Assertions shared by API tests: the error shape, and "nothing changed".

import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import path from "node:path";
import type { TestHost } from "./use_host.ts";

/** Asserts an API error: status, code, and a message that matches. */
export function assertApiError(
  response: { status: number; body: any },
  status: number,
  code: string,
  message?: RegExp,
): void {
  assert.equal(response.status, status, `expected ${status}, got ${response.status}: ${JSON.stringify(response.body)}`);
  assert.equal(response.body?.error?.code, code, JSON.stringify(response.body));
  if (message) assert.match(response.body.error.message, message);
}

/** Asserts that no package is recorded and no package folder was left in the data folder. */
export async function assertNothingInstalled(testHost: TestHost): Promise<void> {
  const list = await testHost.json("GET", "/v1/packages");
  assert.deepEqual(list.body.items, []);
  const packagesDir = path.join(testHost.dataDir, "packages");
  const left = await readdir(packagesDir).catch(() => []);
  assert.deepEqual(left, [], `package folders left behind: ${left.join(", ")}`);
}
