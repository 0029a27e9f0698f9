// The ThreeBot package_manager actor over HTTP: POST /actors/package_manager/<method>
// with the actor's argument names (git_url, path, reload, name), admin only.

import { Hono } from "hono";
import { z } from "zod";
import { ACTOR_METHODS, callActor, type Host } from "../../runtime/index.ts";
import { requireAdmin, type AuthEnv } from "../auth.ts";
import { readBody } from "../body.ts";

export { packageAddSchema, packageNameSchema, packagesListSchema } from "../../runtime/index.ts";

/** A thin adapter: the body is decoded here (JSON or MessagePack), checked and run by the actor. */
export function actorRoutes(host: Pick<Host, "operations">): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  app.use("*", requireAdmin());
  for (const method of ACTOR_METHODS) {
    app.post(`/package_manager/${method}`, async (c) => {
      const args = await readBody(c, z.unknown());
      return c.json(await callActor(host.operations, method, args, { name: c.get("principal").name }));
    });
  }
  return app;
}
