// /v1/batch/{operation}: one operation over several packages, `{ names }` in,
// one result per package out, in the order the host carried them out.

import { Hono } from "hono";
import { z } from "zod";
import { IsopodError, badRequest, type Actor, type BatchReport, type BatchResult, type Host } from "../../runtime/index.ts";
import { isPackageName } from "../../common/names.ts";
import type { AuthEnv } from "../auth.ts";
import { readBody } from "../body.ts";
import { errorFieldOf } from "../error_response.ts";

export type BatchOperation = (host: Pick<Host, "packages" | "store">, names: string[], actor: Actor) => Promise<BatchReport>;

/**
 * The operations `/v1/batch/{operation}` offers; adding one is one line. An
 * operation on one package at a time fits through `BatchReport.each`:
 * `upgrade: (host, names, actor) => BatchReport.each("upgrade", names, (name) => host.packages.upgrade(name, actor))`.
 */
export const BATCH_OPERATIONS: Readonly<Record<string, BatchOperation>> = {
  start: (host, names, actor) => host.packages.start(names, actor),
  stop: (host, names, actor) => host.packages.stop(names, actor),
  reload: (host, names, actor) => host.packages.reload(names, actor),
  upgrade: (host, names, actor) => host.packages.upgradeAll(names, actor),
};

/** Most names one batch may carry. */
export const MAX_BATCH_NAMES = 1000;

const batchBody = z.strictObject({
  names: z
    .array(z.string().refine(isPackageName, { error: (issue) => `is not a valid package name: ${JSON.stringify(issue.input)}` }))
    .min(1, { message: "must list at least one package" })
    .max(MAX_BATCH_NAMES, { message: `must list at most ${MAX_BATCH_NAMES} packages` }),
});

function uniqueNames(names: string[]): string[] {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw badRequest(`"names" lists "${name}" twice`);
    seen.add(name);
  }
  return names;
}

export function batchRoutes(host: Pick<Host, "packages" | "store">): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();

  const resultView = (result: BatchResult) => {
    const record = host.store.packages.get(result.name);
    return {
      name: result.name,
      requested: result.requested,
      ok: result.ok,
      state: record?.state ?? (result.ok ? "deleted" : null),
      desiredState: record?.desiredState ?? null,
      ...(!result.ok && { error: errorFieldOf(result.error) }),
    };
  };

  app.post("/:operation", async (c) => {
    const operation = c.req.param("operation");
    const run = Object.hasOwn(BATCH_OPERATIONS, operation) ? BATCH_OPERATIONS[operation] : undefined;
    if (!run) {
      const known = Object.keys(BATCH_OPERATIONS).join(", ");
      throw new IsopodError("not_found", `no batch operation "${operation}": use one of ${known}`);
    }
    const { names } = await readBody(c, batchBody);
    const report = await run(host, uniqueNames(names), { name: c.get("principal").name });
    return c.json({ operation, results: report.results.map(resultView) });
  });

  return app;
}
