// Polls a condition with a bound, for effects that happen after a response.

import assert from "node:assert/strict";

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(`condition not met within ${timeoutMs} ms`);
}
