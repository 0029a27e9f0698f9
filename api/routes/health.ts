// /healthz: liveness and readiness, without a token.

import { Hono } from "hono";
import type { Host } from "../../runtime/index.ts";

export function healthRoutes(host: Pick<Host, "packages" | "sandboxStatus" | "startedAt" | "store">): Hono {
  const app = new Hono();
  app.get("/", (c) => {
    host.store.ping();
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
