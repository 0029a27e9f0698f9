// The ThreeBot package_manager actor over HTTP: POST /actors/package_manager/<method>
// with the actor's argument names (git_url, path, reload, name), admin only.

import { Hono } from "hono";
import { z } from "zod";
import { viewOf, type Host } from "../../runtime/index.ts";
import { isPackageName } from "../../common/names.ts";
import { requireAdmin, type AuthEnv } from "../auth.ts";
import { readBody } from "../body.ts";
import { addRequestOf, addRequestSchema } from "./packages.ts";

/** `package_add` takes what POST /v1/packages takes; the actor's own names are git_url, path and reload. */
export const packageAddSchema = addRequestSchema;

export const packageNameSchema = z.strictObject({
  name: z.string().refine(isPackageName, { message: "is not a valid package name" }).describe("the package's name, as package_add answered it"),
});

export const packagesListSchema = z.strictObject({});

export function actorRoutes(host: Pick<Host, "operations">): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const ops = host.operations;
  const actorOf = (c: { get(key: "principal"): { name: string } }) => ({ name: c.get("principal").name });
  app.use("*", requireAdmin());

  app.post("/package_manager/package_add", async (c) => {
    const body = await readBody(c, packageAddSchema);
    return c.json(viewOf(await ops.add(addRequestOf(body), actorOf(c))));
  });

  app.post("/package_manager/package_start", async (c) => {
    const { name } = await readBody(c, packageNameSchema);
    return c.json(viewOf(await ops.start(name, actorOf(c))));
  });

  app.post("/package_manager/package_stop", async (c) => {
    const { name } = await readBody(c, packageNameSchema);
    return c.json(viewOf(await ops.stop(name, actorOf(c))));
  });

  app.post("/package_manager/package_upgrade", async (c) => {
    const { name } = await readBody(c, packageNameSchema);
    return c.json(viewOf(await ops.upgrade(name, actorOf(c))));
  });

  app.post("/package_manager/package_delete", async (c) => {
    const { name } = await readBody(c, packageNameSchema);
    await ops.delete(name, actorOf(c));
    return c.json({ name, state: "deleted" });
  });

  app.post("/package_manager/packages_list", async (c) => {
    await readBody(c, packagesListSchema);
    return c.json({ packages: ops.list().map(viewOf) });
  });

  return app;
}
