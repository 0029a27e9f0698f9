// GET /v1/openapi.json: every route described, bodies from the schemas that
// validate them, answers that hold to the documented schemas; and the /docs page.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { z } from "zod";
import { createApp } from "../../api/index.ts";
import { openApiPath } from "../../api/openapi.ts";
import { ROUTE_DOCS } from "../../api/route_docs.ts";
import { assertApiError } from "../helpers/assertions.ts";
import { FORMATS, useHost, type TestHost } from "../helpers/use_host.ts";
import { HELLO } from "../helpers/paths.ts";


/** Every `$ref` in `value`. */
function refsIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) refsIn(item, found);
  else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      if (key === "$ref" && typeof item === "string") found.push(item);
      else refsIn(item, found);
    }
  }
  return found;
}

/** Calls a documented route and holds the answer to its documented schema. */
async function callDocumented(h: TestHost, method: string, docPath: string, url: string, body?: unknown): Promise<any> {
  const doc = ROUTE_DOCS[`${method} ${docPath}`];
  assert.ok(doc?.response, `${method} ${docPath} documents no answer`);
  const answer = await h.json(method, url, { body });
  assert.equal(answer.status, doc.status ?? 200, JSON.stringify(answer.body));
  const parsed = doc.response.safeParse(answer.body);
  assert.ok(parsed.success, `${method} ${url} answered outside its schema: ${parsed.success ? "" : parsed.error.message}`);
  return answer.body;
}

for (const format of FORMATS) {
  describe(`GET /v1/openapi.json (${format})`, () => {
    test("needs a token, and a viewer may read it", async (t) => {
      const h = await useHost(t, { format });
      assertApiError(await h.json("GET", "/v1/openapi.json", { token: null }), 401, "unauthorized");
      const { token } = h.host.tokens.create("reader", "viewer");
      const doc = await h.json("GET", "/v1/openapi.json", { token });
      assert.equal(doc.status, 200);
      assert.equal(doc.body.openapi, "3.1.0");
    });

    test("describes every route of the app, each once, with its path parameters", async (t) => {
      const h = await useHost(t, { format });
      const doc = (await h.json("GET", "/v1/openapi.json")).body;
      const app = createApp(h.host);
      const routes = app.routes.filter((r) => r.method !== "ALL" && !r.path.includes("*"));
      assert.ok(routes.length >= 15);
      for (const route of routes) {
        const operation = doc.paths[openApiPath(route.path)]?.[route.method.toLowerCase()];
        assert.ok(operation, `${route.method} ${route.path} is not described`);
        const declared = (operation.parameters ?? []).filter((p: any) => p.in === "path").map((p: any) => p.name);
        assert.deepEqual(declared, [...openApiPath(route.path).matchAll(/\{(\w+)\}/g)].map((m) => m[1]));
      }
      const ids = Object.values(doc.paths).flatMap((p: any) => Object.values(p).map((o: any) => o.operationId));
      assert.equal(new Set(ids).size, ids.length, "operationIds are unique");
      for (const ref of refsIn(doc.paths)) {
        assert.ok(doc.components.schemas[ref.replace("#/components/schemas/", "")], `${ref} does not resolve`);
      }
    });

    test("request bodies are the schemas that validate them, in both wire formats", async (t) => {
      const h = await useHost(t, { format });
      const doc = (await h.json("GET", "/v1/openapi.json")).body;
      const add = doc.paths["/v1/packages"].post.requestBody.content;
      assert.deepEqual(add["application/msgpack"], add["application/json"]);
      const expected = z.toJSONSchema(ROUTE_DOCS["POST /v1/packages"]!.body!, { io: "input" }) as Record<string, unknown>;
      delete expected.$schema;
      assert.deepEqual(doc.components.schemas.AddRequest, expected);
      assert.equal(doc.components.schemas.AddRequest.additionalProperties, false);
      // What the description forbids, the route refuses.
      assertApiError(await h.json("POST", "/v1/packages", { body: { path: HELLO, colour: "blue" } }), 400, "bad_request", /colour/);
      assert.deepEqual(doc.components.schemas.TokenCreate.properties.role.enum, ["admin", "viewer"]);
      assertApiError(await h.json("POST", "/v1/tokens", { body: { name: "x", role: "root" } }), 400, "bad_request", /role/);
    });

    test("answers hold to the documented schemas along a whole lifecycle", async (t) => {
      const h = await useHost(t, { format });
      await callDocumented(h, "GET", "/healthz", "/healthz");
      const added = await callDocumented(h, "POST", "/v1/packages", "/v1/packages", { path: HELLO });
      const name = encodeURIComponent(added.name);
      await callDocumented(h, "GET", "/v1/packages", "/v1/packages");
      await callDocumented(h, "GET", "/v1/packages/{name}", `/v1/packages/${name}`);
      await callDocumented(h, "POST", "/v1/packages/{name}/start", `/v1/packages/${name}/start`);
      await callDocumented(h, "POST", "/v1/packages/{name}/stop", `/v1/packages/${name}/stop`);
      await callDocumented(h, "DELETE", "/v1/packages/{name}", `/v1/packages/${name}`);
      const token = await callDocumented(h, "POST", "/v1/tokens", "/v1/tokens", { name: "ci" });
      await callDocumented(h, "GET", "/v1/tokens", "/v1/tokens");
      await callDocumented(h, "DELETE", "/v1/tokens/{id}", `/v1/tokens/${token.id}`);
      const actor = "/actors/package_manager";
      const viaActor = await callDocumented(h, "POST", `${actor}/package_add`, `${actor}/package_add`, { path: HELLO });
      await callDocumented(h, "POST", `${actor}/package_start`, `${actor}/package_start`, { name: viaActor.name });
      await callDocumented(h, "POST", `${actor}/packages_list`, `${actor}/packages_list`, {});
      await callDocumented(h, "POST", `${actor}/package_stop`, `${actor}/package_stop`, { name: viaActor.name });
      await callDocumented(h, "POST", `${actor}/package_delete`, `${actor}/package_delete`, { name: viaActor.name });
      const failed = await h.json("GET", "/v1/packages/nope");
      assert.ok(z.object({ error: z.object({ code: z.string(), message: z.string() }) }).safeParse(failed.body).success);
    });
  });
}

describe("the /docs page", () => {
  test("renders the description with Swagger UI served by the host, and holds no data itself", async (t) => {
    const h = await useHost(t);
    const page = await h.request("GET", "/docs", { token: null });
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type") ?? "", /text\/html/);
    const html = await page.text();
    assert.match(html, /src="\/docs\/swagger-ui-bundle\.js"/);
    assert.match(html, /\/v1\/openapi\.json/);
    assert.doesNotMatch(html, /https?:\/\//, "the page loads something from outside the host");
    assert.doesNotMatch(html, /@isopod\/hello|test-admin-token/);
    const bundle = await h.request("GET", "/docs/swagger-ui-bundle.js", { token: null });
    assert.equal(bundle.status, 200);
    assert.match(await bundle.text(), /SwaggerUIBundle/);
  });
});
