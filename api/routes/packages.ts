// /v1/packages: add, list, read, start, stop, reload, upgrade and delete packages
// (one at a time; /v1/batch takes several).

import { Hono, type Context } from "hono";
import { addRequestOf, addRequestSchema, badRequest, viewOf, withProgress, type Actor, type BatchReport, type Host } from "../../runtime/index.ts";
import type { AuthEnv } from "../auth.ts";
import { readBody } from "../body.ts";
import { NAME_PARAM, packageNameFrom } from "../package_name.ts";
import { progressStream, wantsProgress } from "../progress_stream.ts";

/** `?cascade=true|false`; absent is false. */
function cascadeFrom(value: string | undefined): boolean {
  if (value === undefined || value === "false") return false;
  if (value === "true") return true;
  throw badRequest(`query parameter "cascade" must be true or false, not ${JSON.stringify(value)}`);
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
