// An isolate that ends between its `start` hook and the package being marked
// running (a timer that throws at once): the exit is reported, not lost.

import assert from "node:assert/strict";
import { test } from "node:test";
import { addModule } from "../helpers/add_module.ts";
import { useHost } from "../helpers/use_host.ts";
import { waitFor } from "../helpers/wait_for.ts";

const CRASHES_AT_ONCE = `export default { start() { setTimeout(() => { throw new Error("crashed at once"); }, 0); }, fetch: () => new Response("up") };`;

test("a package whose isolate ends right after its start hook is failed, not left running without an isolate", async (t) => {
  // With a data port, marking the package running waits on a round trip to the sandbox process (its route).
  const h = await useHost(t, { pkgPort: 0 });
  for (const name of ["sudden-1", "sudden-2", "sudden-3"]) {
    await addModule(t, h, name, CRASHES_AT_ONCE, { start: true, manifest: { isopod: { restart: { maxRestarts: 0 } } } });
  }
  for (const name of ["sudden-1", "sudden-2", "sudden-3"]) {
    await waitFor(async () => (await h.json("GET", `/v1/packages/${name}`)).body.state === "failed", 5_000);
    const { body } = await h.json("GET", `/v1/packages/${name}`);
    assert.equal(body.error.code, "uncaught-error");
    assert.match(body.error.message, /crashed at once/);
    assert.equal((await h.request("GET", `/pkg/${name}/`, { token: null })).status, 503);
  }
});
