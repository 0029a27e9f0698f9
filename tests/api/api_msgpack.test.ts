// MessagePack on the wire: negotiated per message, equivalent to JSON on
// every route (errors included), and hostile bodies refused with nothing changed.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { Hono } from "hono";
import { Packr, Unpackr } from "msgpackr";
import { decodeMsgpack, msgpackAnswers, prefersMsgpack } from "../../api/msgpack.ts";
import { assertApiError, assertNothingInstalled } from "../helpers/assertions.ts";
import { ADMIN_TOKEN, useHost } from "../helpers/use_host.ts";
import { HELLO } from "../helpers/paths.ts";

const packr = new Packr({ useRecords: false });
const unpackr = new Unpackr({ useRecords: false });
const msgpack = (value: unknown) => new Uint8Array(packr.pack(value));
const bytes = (hex: string) => new Uint8Array(Buffer.from(hex, "hex"));

async function decoded(response: Response): Promise<any> {
  assert.equal(response.headers.get("content-type"), "application/msgpack");
  return unpackr.unpack(new Uint8Array(await response.arrayBuffer()));
}

describe("MessagePack negotiation", () => {
  test("a MessagePack body with a JSON answer, and a JSON body with a MessagePack answer", async (t) => {
    const h = await useHost(t);
    const asMsgpack = await h.request("POST", "/v1/packages", {
      body: msgpack({ path: HELLO }),
      headers: { "content-type": "application/msgpack" },
    });
    assert.equal(asMsgpack.headers.get("content-type"), "application/json");
    assert.equal(((await asMsgpack.json()) as any).name, "@isopod/hello");
    const asJson = await h.request("POST", "/v1/packages/@isopod/hello/start", { headers: { accept: "application/msgpack" } });
    assert.equal((await decoded(asJson)).state, "running");
  });

  test("answers in MessagePack only when Accept prefers it", () => {
    assert.equal(prefersMsgpack("application/msgpack"), true);
    assert.equal(prefersMsgpack("application/x-msgpack"), true);
    assert.equal(prefersMsgpack("application/json;q=0.9, application/msgpack"), true);
    assert.equal(prefersMsgpack("application/msgpack;q=0.1, application/json"), false);
    assert.equal(prefersMsgpack("application/msgpack;q=0"), false);
    assert.equal(prefersMsgpack("*/*"), false);
    assert.equal(prefersMsgpack(undefined), false);
  });

  test("errors, unknown routes, 401 and /healthz come in MessagePack too", async (t) => {
    const h = await useHost(t, { format: "msgpack" });
    assertApiError(await h.json("GET", "/v1/packages/nope"), 404, "not_found", /"nope" is not installed/);
    assertApiError(await h.json("GET", "/v1/nothing"), 404, "not_found", /no route/);
    assertApiError(await h.json("GET", "/v1/packages", { token: null }), 401, "unauthorized");
    assert.equal((await h.json("GET", "/healthz", { token: null })).body.status, "ok");
  });

  test("answers that depend on Accept say so in Vary", async (t) => {
    const h = await useHost(t);
    const response = await h.request("GET", "/v1/packages");
    assert.match(response.headers.get("vary") ?? "", /Accept/i);
  });

  test("package answers under /pkg/ are never re-encoded", async () => {
    const app = new Hono();
    app.use("*", msgpackAnswers());
    app.get("/pkg/app/x", (c) => c.json({ from: "package" }));
    const response = await app.request("/pkg/app/x", { headers: { accept: "application/msgpack" } });
    assert.equal(response.headers.get("content-type"), "application/json");
    assert.deepEqual(await response.json(), { from: "package" });
  });
});

describe("MessagePack is equivalent to JSON", () => {
  test("every JSON value survives MessagePack as JSON would carry it", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        assert.deepStrictEqual(decodeMsgpack(msgpack(value)), JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 300 },
    );
  });

  test("the same bodies get the same answers in both formats", async (t) => {
    const json = await useHost(t, { format: "json" });
    const mp = await useHost(t, { format: "msgpack" });
    const bodies: unknown[] = [
      {},
      { path: 42 },
      { path: HELLO, colour: "blue" },
      JSON.parse('{"__proto__": {"path": "/etc"}}'),
      { path: HELLO, env: { A: 1 } },
      [1, 2],
      null,
    ];
    for (const body of bodies) {
      const a = await json.json("POST", "/v1/packages", { body });
      const b = await mp.json("POST", "/v1/packages", { body });
      assert.equal(b.status, a.status, JSON.stringify(body));
      assert.deepEqual(b.body, a.body, JSON.stringify(body));
    }
    await assertNothingInstalled(mp);
  });
});

describe("hostile MessagePack bodies are refused and change nothing", () => {
  const cases: { name: string; body: Uint8Array; message: RegExp }[] = [
    { name: "binary data where a string belongs", body: msgpack({ path: Buffer.from("/etc") }), message: /"path" is binary data, which JSON cannot hold/ },
    { name: "a timestamp", body: msgpack({ path: HELLO, config: { at: new Date(0) } }), message: /"config\.at" is a timestamp/ },
    { name: "an unknown extension type", body: bytes("81a470617468d40501"), message: /not valid MessagePack: Unknown extension/ },
    { name: "a map with a number key", body: bytes("8101a161"), message: /map keys must be strings/ },
    { name: "two values back to back", body: new Uint8Array([...msgpack({ path: HELLO }), ...msgpack({})]), message: /not valid MessagePack/ },
    { name: "a truncated value", body: bytes("82a470617468"), message: /not valid MessagePack/ },
    { name: "nesting a hundred thousand levels deep", body: new Uint8Array([...new Uint8Array(100_000).fill(0x91), 0xc0]), message: /not valid MessagePack|nested deeper/ },
    { name: "nesting three hundred levels deep", body: new Uint8Array([0x81, 0xa6, ...Buffer.from("config"), ...new Uint8Array(300).fill(0x91), 0xc0]), message: /nested deeper than 256/ },
    { name: "a NaN", body: bytes("81a470617468cb7ff8000000000000"), message: /"path" is NaN/ },
  ];
  for (const c of cases) {
    test(`${c.name}: 400 bad_request`, async (t) => {
      const h = await useHost(t, { format: "msgpack" });
      const response = await h.request("POST", "/v1/packages", {
        body: c.body,
        headers: { "content-type": "application/msgpack" },
      });
      assertApiError({ status: response.status, body: await decoded(response) }, 400, "bad_request", c.message);
      await assertNothingInstalled(h);
    });
  }

  for (const format of ["json", "msgpack"] as const) {
    test(`a ${format} body over 1 MiB is 413`, async (t) => {
      const h = await useHost(t, { format });
      const big = await h.json("POST", "/v1/packages", { body: { path: HELLO, config: { blob: "x".repeat(1024 * 1024 + 10) } } });
      assertApiError(big, 413, "bad_request", /larger than 1048576 bytes/);
      await assertNothingInstalled(h);
    });
  }

  test("a viewer sending MessagePack is still refused", async (t) => {
    const h = await useHost(t, { format: "msgpack" });
    const { token } = h.host.tokens.create("reader", "viewer");
    assertApiError(await h.json("POST", "/v1/packages", { token, body: { path: HELLO } }), 403, "forbidden");
    assert.notEqual(token, ADMIN_TOKEN);
    await assertNothingInstalled(h);
  });
});
