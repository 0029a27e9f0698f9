// /v1/ui: what the dashboard needs beyond the rest of the API: who is signed
// in (to disable what a viewer may not do), and a folder's requested permissions.

import { stat } from "node:fs/promises";
import path from "node:path";
import { Hono } from "hono";
import { z } from "zod";
import { badRequest, readManifest } from "../../runtime/index.ts";
import { requireAdmin, type AuthEnv } from "../auth.ts";
import { readBody } from "../body.ts";

export const inspectRequestSchema = z.strictObject({
  path: z.string().min(1).describe("an absolute folder on the host, as `path` in POST /v1/packages"),
});

async function folderOf(raw: string): Promise<string> {
  if (!path.isAbsolute(raw)) throw badRequest(`"path" must be an absolute folder on the host, got ${JSON.stringify(raw)}`);
  const info = await stat(raw).catch(() => undefined);
  if (!info?.isDirectory()) throw badRequest(`"path" ${JSON.stringify(raw)} is not a folder on the host`);
  return raw;
}

export function dashboardRoutes(): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();

  app.get("/session", (c) => {
    const { name, role } = c.get("principal");
    return c.json({ name, role });
  });

  // Admin only, reads included: it looks at the host's files.
  app.post("/inspect", requireAdmin(), async (c) => {
    const body = await readBody(c, inspectRequestSchema);
    const manifest = await readManifest(await folderOf(body.path));
    const dependencies = Object.fromEntries(Object.entries(manifest.dependencies).map(([name, spec]) => [name, spec.range]));
    return c.json({ name: manifest.name, version: manifest.version, requested: manifest.requested, dependencies });
  });

  return app;
}
