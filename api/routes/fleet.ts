// GET /v1/fleet: every host of the fleet with its address and liveness, and
// each fleet package's state and version on each host (docs/fleet.md).

import { Hono } from "hono";
import { IsopodError, type Host } from "../../runtime/index.ts";
import type { AuthEnv } from "../auth.ts";

export function fleetRoutes(host: Pick<Host, "fleet">): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  app.get("/", async (c) => {
    if (!host.fleet) throw new IsopodError("not_found", "this host is not in a fleet: ISOPOD_FLEET is not set (docs/fleet.md)");
    return c.json({ ...(await host.fleet.view()), status: host.fleet.status() });
  });
  return app;
}
