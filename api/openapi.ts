// The API described in OpenAPI 3.1, built from the app's own routes and the
// zod schemas that validate their bodies (z.toJSONSchema), so it cannot drift.

import type { Hono } from "hono";
import { z } from "zod";
import { MSGPACK } from "./msgpack.ts";
import { ROUTE_DOCS, SCHEMA_NAMES, type RouteDoc } from "./route_docs.ts";
import { errorSchema } from "./schemas.ts";

type JsonObject = Record<string, unknown>;

const PARAM_DESCRIPTIONS: Record<string, string> = {
  name: "a package name; a scoped name may be written literally (@acme/clock) or encoded (%40acme%2Fclock)",
  id: "a token id (16 hex digits)",
};

/** `/v1/packages/:name{regex}/start` as OpenAPI writes it: `/v1/packages/{name}/start`. */
export function openApiPath(honoPath: string): string {
  return honoPath.replace(/:(\w+)(\{[^}]*\})?/g, "{$1}");
}

const operationIdOf = (method: string, path: string): string =>
  `${method}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? "").toUpperCase())}`;

/** Names each schema once, so both wire formats and every route that shares it point at one component. */
class SchemaNames {
  readonly registry = z.registry<{ id: string }>();
  readonly #names = new Map<z.ZodType, string>(SCHEMA_NAMES);

  ref(schema: z.ZodType, fallback: string): JsonObject {
    const id = this.#names.get(schema) ?? fallback;
    this.#names.set(schema, id);
    if (!this.registry.has(schema)) this.registry.add(schema, { id });
    return { $ref: `#/components/schemas/${id}` };
  }

  components(): Record<string, JsonObject> {
    const { schemas } = z.toJSONSchema(this.registry, { uri: (id) => `#/components/schemas/${id}`, io: "input", unrepresentable: "any" });
    return Object.fromEntries(
      Object.entries(schemas).map(([id, { $schema: _dialect, $id: _id, ...schema }]) => [id, schema as JsonObject]),
    );
  }
}

/** Both wire formats carry the same schema. */
function content(schema: JsonObject): JsonObject {
  return { "application/json": { schema }, [MSGPACK]: { schema } };
}

function operationOf(method: string, path: string, doc: RouteDoc | undefined, names: SchemaNames): JsonObject {
  const operationId = operationIdOf(method, path);
  const error = content(names.ref(errorSchema, "Error"));
  const params = [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: "path",
    required: true,
    schema: { type: "string" },
    description: PARAM_DESCRIPTIONS[name!] ?? name,
  }));
  const query = Object.entries(doc?.query ?? {}).map(([name, q]) => ({ name, in: "query", required: false, schema: { type: q.type }, description: q.description }));
  const success: JsonObject = { description: "success" };
  if (doc?.response) success.content = content(names.ref(doc.response, `${operationId}Answer`));
  const responses: JsonObject = { [String(doc?.status ?? 200)]: success, default: { description: "an error", content: error } };
  if (!doc?.public) {
    responses["401"] = { description: "no token, or an invalid or revoked one", content: error };
    responses["403"] = { description: doc?.adminOnly ? "not an admin token" : "a viewer token on a route that changes state", content: error };
  }
  return {
    summary: doc?.summary ?? `${method.toUpperCase()} ${path}`,
    ...(doc?.description && { description: doc.description }),
    tags: [doc?.tag ?? "other"],
    operationId,
    ...(params.length + query.length > 0 && { parameters: [...params, ...query] }),
    ...(doc?.body && { requestBody: { required: false, content: content(names.ref(doc.body, `${operationId}Body`)) } }),
    ...(doc?.public && { security: [] }),
    responses,
  };
}

/** Every route of `app` (middleware left out), documented where ROUTE_DOCS says more. */
export function openApiDocument(app: Hono<any>, docs: Record<string, RouteDoc> = ROUTE_DOCS): JsonObject {
  const names = new SchemaNames();
  const paths: Record<string, JsonObject> = {};
  for (const route of app.routes) {
    const path = openApiPath(route.path);
    const key = `${route.method} ${path}`;
    // Middleware is registered as ALL on a wildcard; a real ALL route must be documented to appear.
    if ((route.method === "ALL" || path.includes("*")) && !docs[key]) continue;
    const method = route.method === "ALL" ? "post" : route.method.toLowerCase();
    (paths[path] ??= {})[method] = operationOf(method, path, docs[key], names);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "isopod",
      version: "1",
      description:
        "A package host for long-running servers. Bodies and answers are JSON, or MessagePack with " +
        "`Content-Type: application/msgpack` and `Accept: application/msgpack`. The page /docs renders this description.",
    },
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "an isopod token (`isopod token create`)" } },
      schemas: names.components(),
    },
    paths,
  };
}
