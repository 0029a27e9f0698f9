// GET /metrics: the host's statistics in the Prometheus text format. Needs a
// token like the rest of the API; a viewer token may read it.

import { Hono } from "hono";
import type { Host } from "../../runtime/index.ts";
import type { AuthEnv } from "../auth.ts";

export function metricsRoutes(host: Pick<Host, "metrics">): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  app.get("/", async (c) => {
    const text = await host.metrics.render();
    return c.body(text, 200, { "content-type": host.metrics.contentType });
  });
  return app;
}
