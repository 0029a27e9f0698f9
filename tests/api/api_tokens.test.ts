// Token management over the API (admin only): create with a name and a role,
// the secret shown once, list without secrets, revoke; in JSON and MessagePack.

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { assertApiError } from "../helpers/assertions.ts";
import { FORMATS, useHost, type TestHost } from "../helpers/use_host.ts";
import { HELLO } from "../helpers/paths.ts";


/** The token list without `lastUsedAt`, which every authenticated request moves. */
async function tokenList(h: TestHost): Promise<unknown> {
  const items = (await h.json("GET", "/v1/tokens")).body.items as Record<string, unknown>[];
  return items.map(({ lastUsedAt: _used, ...rest }) => rest);
}

for (const format of FORMATS) {
  describe(`/v1/tokens (${format})`, () => {
    test("creates a token whose secret is shown once and works with its role", async (t) => {
      const h = await useHost(t, { format });
      const created = await h.json("POST", "/v1/tokens", { body: { name: "ci", role: "viewer" } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.match(created.body.token, /^isopod_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
      assert.equal(created.body.name, "ci");
      assert.equal(created.body.role, "viewer");
      assert.match(created.body.id, /^[0-9a-f]{16}$/);
      assert.equal(created.body.revokedAt, null);
      const token = created.body.token as string;
      assert.equal((await h.json("GET", "/v1/packages", { token })).status, 200);
      assertApiError(await h.json("POST", "/v1/packages", { token, body: { path: HELLO } }), 403, "forbidden");
      const listed = await h.json("GET", "/v1/tokens");
      assert.deepEqual(listed.body.items.map((i: any) => [i.name, i.role]), [["ci", "viewer"]]);
      const text = JSON.stringify(listed.body);
      // The secret is everything after the id: it may itself contain "_" (base64url), so split() would cut it short.
      const secret = token.slice("isopod_".length + 17);
      assert.ok(!text.includes(secret), "the secret must not be listed");
      assert.deepEqual(Object.keys(listed.body.items[0]).sort(), ["createdAt", "id", "lastUsedAt", "name", "revokedAt", "role"]);
      assert.notEqual(listed.body.items[0].lastUsedAt, null);
    });

    test("role defaults to viewer", async (t) => {
      const h = await useHost(t, { format });
      assert.equal((await h.json("POST", "/v1/tokens", { body: { name: "reader" } })).body.role, "viewer");
    });

    test("a revoked token is refused at once and listed as revoked", async (t) => {
      const h = await useHost(t, { format });
      const created = await h.json("POST", "/v1/tokens", { body: { name: "temp", role: "admin" } });
      const revoked = await h.json("DELETE", `/v1/tokens/${created.body.id}`);
      assert.equal(revoked.status, 200);
      assert.ok(!Number.isNaN(Date.parse(revoked.body.revokedAt)));
      assertApiError(await h.json("GET", "/v1/packages", { token: created.body.token }), 401, "unauthorized");
      assertApiError(await h.json("DELETE", `/v1/tokens/${created.body.id}`), 404, "not_found", /no active token/);
      const ops = h.host.store.operations.list({}).map((op) => [op.operation, op.result, JSON.stringify(op.params)]);
      assert.deepEqual(ops, [
        ["token.revoke", "error", JSON.stringify({ id: created.body.id })],
        ["token.revoke", "ok", JSON.stringify({ id: created.body.id })],
        ["token.create", "ok", JSON.stringify({ name: "temp", role: "admin" })],
      ]);
    });

    test("the last admin token cannot be revoked when no ISOPOD_ADMIN_TOKEN is set", async (t) => {
      const h = await useHost(t, { format, adminToken: undefined });
      const token = (await readFile(path.join(h.dataDir, "admin-token"), "utf8")).trim();
      const [admin] = (await h.json("GET", "/v1/tokens", { token })).body.items;
      assertApiError(await h.json("DELETE", `/v1/tokens/${admin.id}`, { token }), 409, "conflict", /last admin token; create another admin token first/);
      assert.equal((await h.json("GET", "/v1/packages", { token })).status, 200);
      const second = await h.json("POST", "/v1/tokens", { token, body: { name: "second", role: "admin" } });
      assert.equal((await h.json("DELETE", `/v1/tokens/${admin.id}`, { token: second.body.token })).status, 200);
    });

    describe("refuses bad input and changes nothing", () => {
      const cases: { name: string; method: string; url: string; body?: unknown; status: number; code: string; message: RegExp }[] = [
        { name: "no name", method: "POST", url: "/v1/tokens", body: { role: "admin" }, status: 400, code: "bad_request", message: /"name"/ },
        { name: "an unknown role", method: "POST", url: "/v1/tokens", body: { name: "x", role: "root" }, status: 400, code: "bad_request", message: /"role"/ },
        { name: "a name with spaces", method: "POST", url: "/v1/tokens", body: { name: "my token" }, status: 400, code: "bad_request", message: /token name "my token" must be/ },
        { name: "a reserved name", method: "POST", url: "/v1/tokens", body: { name: "host" }, status: 400, code: "bad_request", message: /reserved/ },
        { name: "an unknown field", method: "POST", url: "/v1/tokens", body: { name: "x", secret: "mine" }, status: 400, code: "bad_request", message: /secret/ },
        { name: "an id that is not one", method: "DELETE", url: "/v1/tokens/../../packages", status: 404, code: "not_found", message: /./ },
        { name: "a malformed id", method: "DELETE", url: "/v1/tokens/xyz", status: 400, code: "bad_request", message: /"xyz" is not a token id/ },
        { name: "an unknown id", method: "DELETE", url: "/v1/tokens/0123456789abcdef", status: 404, code: "not_found", message: /no active token with id "0123456789abcdef"/ },
      ];
      for (const c of cases) {
        test(`${c.name}: ${c.status} ${c.code}`, async (t) => {
          const h = await useHost(t, { format });
          await h.json("POST", "/v1/tokens", { body: { name: "existing" } });
          const before = await tokenList(h);
          assertApiError(await h.json(c.method, c.url, { body: c.body }), c.status, c.code, c.message);
          assert.deepEqual(await tokenList(h), before);
        });
      }

      test("a second active token with the same name: 409", async (t) => {
        const h = await useHost(t, { format });
        await h.json("POST", "/v1/tokens", { body: { name: "ci" } });
        const before = await tokenList(h);
        assertApiError(await h.json("POST", "/v1/tokens", { body: { name: "ci" } }), 409, "conflict", /an active token has that name/);
        assert.deepEqual(await tokenList(h), before);
      });
    });

    test("a viewer can neither list, create nor revoke tokens", async (t) => {
      const h = await useHost(t, { format });
      const viewer = (await h.json("POST", "/v1/tokens", { body: { name: "reader" } })).body;
      const before = await tokenList(h);
      assertApiError(await h.json("GET", "/v1/tokens", { token: viewer.token }), 403, "forbidden", /viewer token cannot GET/);
      assertApiError(await h.json("POST", "/v1/tokens", { token: viewer.token, body: { name: "escalate", role: "admin" } }), 403, "forbidden");
      assertApiError(await h.json("DELETE", `/v1/tokens/${viewer.id}`, { token: viewer.token }), 403, "forbidden");
      assertApiError(await h.json("GET", "/v1/tokens", { token: null }), 401, "unauthorized");
      assert.deepEqual(await tokenList(h), before);
    });

    test("only a hash of the secret is stored", async (t) => {
      const h = await useHost(t, { format });
      const created = (await h.json("POST", "/v1/tokens", { body: { name: "ci" } })).body;
      // The secret is base64url and may itself contain "_".
      const secret = (created.token as string).split("_").slice(2).join("_");
      const rows = h.host.store.db.prepare("SELECT * FROM tokens").all();
      assert.ok(!JSON.stringify(rows).includes(secret));
      assert.ok(!JSON.stringify(h.host.store.operations.list({})).includes(secret));
    });
  });
}
