// Stop, reload, upgrade and delete let a package's requests in flight finish
// within a grace period; meanwhile new requests get 503 with Retry-After.

import assert from "node:assert/strict";
import { test } from "node:test";
import { addModule } from "../helpers/add_module.ts";
import { assertApiError } from "../helpers/assertions.ts";
import { useHost, type TestHost } from "../helpers/use_host.ts";
import { waitFor } from "../helpers/wait_for.ts";

/** `/slow?ms=N` answers after N ms and logs when it begins; anything else answers at once. */
const SLOW = `
export default {
  async fetch(request: Request) {
    const url = new URL(request.url);
    if (url.pathname !== "/slow") return new Response("quick");
    console.log("slow request began");
    await new Promise((resolve) => setTimeout(resolve, Number(url.searchParams.get("ms"))));
    return new Response("slow done");
  },
  stop() { console.log("stop hook ran"); },
};`;

async function state(h: TestHost, name: string): Promise<string> {
  return (await h.json("GET", `/v1/packages/${name}`)).body.state;
}

/** Sends a slow request and waits until the package has it. */
async function slowRequest(h: TestHost, ms: number): Promise<Response> {
  const pending = h.request("GET", `/pkg/slow/slow?ms=${ms}`, { token: null });
  await waitFor(() => {
    h.host.logs.flush();
    return h.host.logs.tail("slow", 5).some((entry) => entry.message === "slow request began");
  });
  return pending;
}

for (const operation of ["stop", "reload"] as const) {
  test(`a slow request in flight completes during ${operation}, while a new request gets 503 with Retry-After`, async (t) => {
    const h = await useHost(t);
    await addModule(t, h, "slow", SLOW, { start: true });
    const slow = slowRequest(h, 800);
    await waitFor(() => h.host.packages.inFlight("slow") === 1);
    const operated = h.json("POST", `/v1/packages/slow/${operation}`);
    await waitFor(async () => (await state(h, "slow")) === "stopping");
    const refused = await h.request("GET", "/pkg/slow/", { token: null });
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get("retry-after"), "5");
    assertApiError({ status: 503, body: await refused.json() }, 503, "not_running", /"slow" is stopping/);
    const answer = await slow;
    assert.equal(answer.status, 200);
    assert.equal(await answer.text(), "slow done");
    const done = await operated;
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(done.body.state, operation === "stop" ? "installed" : "running");
    // The stop hook ran after the request finished, not before.
    const lines = h.host.logs.tail("slow", 10).map((entry) => entry.message);
    assert.ok(lines.indexOf("stop hook ran") > lines.indexOf("slow request began"));
    if (operation === "reload") assert.equal(await (await h.request("GET", "/pkg/slow/", { token: null })).text(), "quick");
  });
}

test("a request that outlives the grace period is cut off and the stop goes on", async (t) => {
  const h = await useHost(t, { stopGraceMs: 300 });
  await addModule(t, h, "slow", SLOW, { start: true, manifest: { isopod: { limits: { timeoutMs: 20_000 } } } });
  const slow = slowRequest(h, 10_000);
  const started = performance.now();
  const stopped = await h.json("POST", "/v1/packages/slow/stop");
  assert.equal(stopped.body.state, "installed");
  assert.ok(performance.now() - started < 5_000, "the stop waited for the request instead of the grace period");
  const answer = await slow;
  assert.equal(answer.status, 503);
  assertApiError({ status: 503, body: await answer.json() }, 503, "not_running", /stopped while answering/);
  assert.equal(h.host.packages.inFlight("slow"), 0);
});

test("a stop with nothing in flight does not wait for the grace period", async (t) => {
  const h = await useHost(t, { stopGraceMs: 10_000 });
  await addModule(t, h, "slow", SLOW, { start: true });
  assert.equal(await (await h.request("GET", "/pkg/slow/", { token: null })).text(), "quick");
  const started = performance.now();
  assert.equal((await h.json("POST", "/v1/packages/slow/stop")).body.state, "installed");
  assert.ok(performance.now() - started < 5_000);
});

test("a streamed answer counts as in flight until its body is done", async (t) => {
  const h = await useHost(t);
  const mod = `
    export default {
      fetch() {
        let n = 0;
        return new Response(new ReadableStream({
          async pull(c) {
            await new Promise((resolve) => setTimeout(resolve, 100));
            n < 5 ? c.enqueue(new TextEncoder().encode("chunk " + n++ + "\\n")) : c.close();
          },
        }));
      },
    };`;
  await addModule(t, h, "streams", mod, { start: true });
  const response = await h.request("GET", "/pkg/streams/", { token: null });
  assert.equal(h.host.packages.inFlight("streams"), 1);
  const stopped = h.json("POST", "/v1/packages/streams/stop");
  assert.equal(await response.text(), "chunk 0\nchunk 1\nchunk 2\nchunk 3\nchunk 4\n");
  assert.equal((await stopped).body.state, "installed");
  assert.equal(h.host.packages.inFlight("streams"), 0);
});
