// /healthz: liveness and readiness, without a token.

import { Hono } from "hono";
import type { Host } from "../../runtime/host.ts";

export function healthRoutes(host: Host): Hono {
  const app = new Hono();
  app.get("/", (c) => {
    host.store.db.prepare("SELECT 1").get();
    return c.json({
      status: "ok",
      node: process.version,
      uptimeMs: Date.now() - host.startedAt,
      running: host.packages.runningCount,
      sandbox: host.sandboxStatus(),
    });
  });
  return app;
}
