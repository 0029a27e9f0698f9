// GET /v1/openapi.json (behind a token, like every read) and /docs, a Swagger UI
// page that renders it: the page itself holds no data and asks for the token.

import { swaggerUI } from "@hono/swagger-ui";
import { Hono } from "hono";
import type { AuthEnv } from "../auth.ts";
import { openApiDocument } from "../openapi.ts";

// Swagger UI fetches the description before anyone can press "Authorize":
// this adds the token (asked once per tab) to every request the page makes.
const ADD_TOKEN = `(request) => {
  let token = sessionStorage.getItem("isopod-token");
  if (token === null) {
    token = window.prompt("isopod token (isopod token create, or .isopod/admin-token)") || "";
    sessionStorage.setItem("isopod-token", token);
  }
  if (token && !request.headers.Authorization) request.headers.Authorization = "Bearer " + token;
  return request;
}`;

/** The description of `app`, built at the first request so that every route is in. */
export function openApiRoute(app: Hono<AuthEnv>): Hono<AuthEnv> {
  const route = new Hono<AuthEnv>();
  let document: object | undefined;
  route.get("/", (c) => c.json((document ??= openApiDocument(app))));
  return route;
}

export function docsPage(): Hono {
  const page = new Hono();
  page.get("/", swaggerUI({ url: "/v1/openapi.json", title: "isopod API", requestInterceptor: ADD_TOKEN, persistAuthorization: true }));
  return page;
}
