// The routes behind the dashboard: its files (a fixed list, with a strict
// policy), who the token is, and a folder's requested permissions.

import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";
import { assertApiError } from "../helpers/assertions.ts";
import { useHost } from "../helpers/use_host.ts";

const HELLO = path.resolve(import.meta.dirname, "../../packages/hello");

describe("the dashboard's files", () => {
  test("/ui is served without a token, with a policy that keeps scripts and requests on the host", async (t) => {
    const h = await useHost(t);
    const page = await h.request("GET", "/ui", { token: null });
    assert.equal(page.status, 200);
    const policy = page.headers.get("content-security-policy") ?? "";
    assert.match(policy, /script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
    assert.match(policy, /connect-src 'self'/);
    assert.match(policy, /form-action 'none'/);
    assert.doesNotMatch(await page.text(), /https?:\/\//);
    for (const file of ["/ui/app/main.js", "/ui/app/style.css", "/ui/vendor/preact.mjs", "/ui/vendor/uplot.mjs"]) {
      const answer = await h.request("GET", file, { token: null });
      assert.equal(answer.status, 200, file);
      assert.match(answer.headers.get("content-type") ?? "", file.endsWith(".css") ? /text\/css/ : /text\/javascript/);
    }
  });

  test("nothing outside the list is served, whatever the path says", async (t) => {
    const h = await useHost(t);
    for (const file of ["/ui/app/nope.js", "/ui/app/..%2F..%2Fpackage.json", "/ui/app/index.html", "/ui/app/sub/main.js", "/docs/index.js"]) {
      const answer = await h.json("GET", file, { token: null });
      assert.equal(answer.status, 404, `${file}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.error.code, "not_found");
    }
  });
});

describe("/v1/ui", () => {
  test("session names the token and its role", async (t) => {
    const h = await useHost(t);
    const { token } = h.host.tokens.create("reader", "viewer");
    assert.deepEqual((await h.json("GET", "/v1/ui/session", { token })).body, { name: "reader", role: "viewer" });
    assert.equal((await h.json("GET", "/v1/ui/session")).body.role, "admin");
    assertApiError(await h.json("GET", "/v1/ui/session", { token: null }), 401, "unauthorized");
  });

  test("inspect shows a folder's name, version and requested permissions", async (t) => {
    const h = await useHost(t);
    const answer = await h.json("POST", "/v1/ui/inspect", { body: { path: HELLO } });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.name, "@isopod/hello");
    assert.deepEqual(Object.keys(answer.body.requested).sort(), ["env", "net", "read", "write"]);
    assert.deepEqual((await h.json("GET", "/v1/packages")).body.items, [], "inspect added something");
  });

  test("inspect refuses a relative path, a missing folder, a folder with no manifest, and a viewer", async (t) => {
    const h = await useHost(t);
    assertApiError(await h.json("POST", "/v1/ui/inspect", { body: { path: "packages/hello" } }), 400, "bad_request", /absolute folder/);
    assertApiError(await h.json("POST", "/v1/ui/inspect", { body: { path: "/nonexistent/x" } }), 400, "bad_request", /is not a folder/);
    assertApiError(await h.json("POST", "/v1/ui/inspect", { body: {} }), 400, "bad_request", /path/);
    assertApiError(await h.json("POST", "/v1/ui/inspect", { body: { path: path.dirname(HELLO) } }), 422, "invalid_package", /no deno\.json/);
    const { token } = h.host.tokens.create("reader", "viewer");
    assertApiError(await h.json("POST", "/v1/ui/inspect", { body: { path: HELLO }, token }), 403, "forbidden");
  });
});
