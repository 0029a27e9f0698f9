// hono-app: the smallest Hono app for Deno, its framework imported from npm
// through the import map. Adding it resolves hono from the npm registry (docs/npm_and_jsr.md).

import { Hono } from "hono";

const app = new Hono();
app.get("/", (c) => c.text("Hello Hono!"));
app.get("/json/:name", (c) => c.json({ hello: c.req.param("name") }));

export default app;
