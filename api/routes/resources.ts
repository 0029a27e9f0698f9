// GET /v1/resources: the registry's resources (Liota's `list res`), each with
// its provider, the packages that may use it, and its call counters.

import { Hono } from "hono";
import { badRequest, resourceViewsOf, type Host } from "../../runtime/index.ts";
import { isPackageName } from "../../common/names.ts";
import type { AuthEnv } from "../auth.ts";

export function resourceRoutes(host: Pick<Host, "resources" | "store">): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();

  app.get("/", async (c) => {
    const provider = c.req.query("provider");
    if (provider !== undefined && !isPackageName(provider)) throw badRequest(`"provider" must be a package name, got ${JSON.stringify(provider.slice(0, 240))}`);
    const infos = (await host.resources()).filter((info) => provider === undefined || info.provider === provider);
    return c.json({ items: resourceViewsOf(infos, host.store.packages.list()) });
  });

  return app;
}
