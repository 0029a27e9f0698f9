// /v1/packages: add, list, read, start, stop, reload, upgrade and delete packages
// (one at a time; /v1/batch takes several).

import { Hono, type Context } from "hono";
import { z } from "zod";
import { badRequest, viewOf, withProgress, type Actor, type AddRequest, type BatchReport, type Host } from "../../runtime/index.ts";
import type { AuthEnv } from "../auth.ts";
import { readBody } from "../body.ts";
import { NAME_PARAM, packageNameFrom } from "../package_name.ts";
import { progressStream, wantsProgress } from "../progress_stream.ts";

const permissionValue = z.union([
  z.boolean(),
  z.array(z.string()),
  z.strictObject({ allow: z.union([z.boolean(), z.array(z.string())]).optional(), deny: z.array(z.string()).optional() }),
]);

export const addRequestSchema = z
  .strictObject({
    git_url: z.string().min(1).optional(),
    path: z.string().min(1).optional(),
    reload: z.boolean().optional(),
    start: z.boolean().optional(),
    grant: z.union([z.literal("requested"), z.record(z.string(), permissionValue)]).optional(),
    env: z.record(z.string(), z.string()).optional(),
    config: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((body) => (body.git_url === undefined) !== (body.path === undefined), {
    message: 'give exactly one of "git_url" or "path"',
  });

/** `?cascade=true|false`; absent is false. */
function cascadeFrom(value: string | undefined): boolean {
  if (value === undefined || value === "false") return false;
  if (value === "true") return true;
  throw badRequest(`query parameter "cascade" must be true or false, not ${JSON.stringify(value)}`);
}

/** The manager's add request from the API's body (snake_case on the wire, absent fields left out). */
export function addRequestOf(body: z.infer<typeof addRequestSchema>): AddRequest {
  return {
    ...(body.path !== undefined && { path: body.path }),
    ...(body.git_url !== undefined && { gitUrl: body.git_url }),
    ...(body.reload !== undefined && { reload: body.reload }),
    ...(body.start !== undefined && { start: body.start }),
    ...(body.grant !== undefined && { grant: body.grant }),
    ...(body.env !== undefined && { env: body.env }),
    ...(body.config !== undefined && { config: body.config }),
  };
}

export function packageRoutes(host: Pick<Host, "packages">): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const actorOf = (c: { get(key: "principal"): { name: string } }) => ({ name: c.get("principal").name });

  app.get("/", (c) => c.json({ items: host.packages.list().map(viewOf) }));

  app.post("/", async (c) => {
    const request = addRequestOf(await readBody(c, addRequestSchema));
    const actor = actorOf(c);
    // Asked for NDJSON: the steps as they happen, then the package (docs/reference/api.md#progress).
    if (wantsProgress(c)) {
      return progressStream(c, (listener) => withProgress(listener, () => host.packages.add(request, actor)), (record) => ({ package: viewOf(record) }));
    }
    return c.json(viewOf(await host.packages.add(request, actor)));
  });

  app.get(`/${NAME_PARAM}`, (c) => c.json(viewOf(host.packages.get(packageNameFrom(c.req.param("name"))))));

  // One package's start, stop or reload is a batch of one; the answer is that package.
  const single = (operation: (names: string[], actor: Actor) => Promise<BatchReport>) =>
    async (c: Context<AuthEnv>) => {
      const name = packageNameFrom(c.req.param("name"));
      (await operation([name], actorOf(c))).outcome(name);
      return c.json(viewOf(host.packages.get(name)));
    };
  app.post(`/${NAME_PARAM}/start`, single((names, actor) => host.packages.start(names, actor)));
  app.post(`/${NAME_PARAM}/stop`, single((names, actor) => host.packages.stop(names, actor)));
  app.post(`/${NAME_PARAM}/reload`, single((names, actor) => host.packages.reload(names, actor)));

  app.post(`/${NAME_PARAM}/upgrade`, async (c) => {
    const result = await host.packages.upgrade(packageNameFrom(c.req.param("name")), actorOf(c));
    return c.json({ ...viewOf(result.record), upgrade: { status: result.status, from: result.from, to: result.to } });
  });

  app.delete(`/${NAME_PARAM}`, async (c) => {
    const name = packageNameFrom(c.req.param("name"));
    const report = await host.packages.delete(name, actorOf(c), { cascade: cascadeFrom(c.req.query("cascade")) });
    report.outcome(name);
    return c.json({ name, state: "deleted", deleted: report.results.filter((result) => result.ok).map((result) => result.name) });
  });

  return app;
}
