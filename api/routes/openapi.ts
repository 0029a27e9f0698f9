// GET /v1/openapi.json, behind a token like every read (/docs, the page that
// renders it, is in api/ui/docs_page.ts).

import { Hono } from "hono";
import type { AuthEnv } from "../auth.ts";
import { openApiDocument } from "../openapi.ts";

/** The description of `app`, built at the first request so that every route is in. */
export function openApiRoute(app: Hono<AuthEnv>): Hono<AuthEnv> {
  const route = new Hono<AuthEnv>();
  let document: object | undefined;
  route.get("/", (c) => c.json((document ??= openApiDocument(app))));
  return route;
}
