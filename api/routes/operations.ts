// GET /v1/operations: the audit log, newest first, optionally for one package,
// in pages: pass `nextBefore` of one page as `before` to get the next.

import { Hono } from "hono";
import { z } from "zod";
import { badRequest, type Host, type OperationEntry } from "../../runtime/index.ts";
import { isPackageName } from "../../common/names.ts";
import type { AuthEnv } from "../auth.ts";

/** Entries per page when `limit` is not given, and at most. */
export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 1000;

const positiveInt = (field: string) =>
  z.string().regex(/^[1-9][0-9]{0,15}$/, { message: `must be a positive whole number` }).transform(Number).refine(Number.isSafeInteger, {
    message: `"${field}" is too large`,
  });

const querySchema = z.strictObject({
  package: z.string().refine(isPackageName, { message: "is not a valid package name" }).optional(),
  limit: positiveInt("limit").refine((n) => n <= MAX_PAGE, { message: `must be at most ${MAX_PAGE}` }).optional(),
  before: positiveInt("before").optional(),
});

function viewOf(entry: OperationEntry) {
  return { ...entry, at: new Date(entry.at).toISOString() };
}

export function operationRoutes(host: Pick<Host, "store">): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  app.get("/", (c) => {
    const parsed = querySchema.safeParse(c.req.query());
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.length > 0 ? `query parameter "${issue.path.join(".")}"` : "query";
      throw badRequest(`invalid ${field}: ${issue.message}`);
    }
    const { package: pkg, limit = DEFAULT_PAGE, before } = parsed.data;
    const items = host.store.operations.list({ limit, ...(pkg !== undefined && { package: pkg }), ...(before !== undefined && { before }) });
    return c.json({ items: items.map(viewOf), nextBefore: items.length === limit ? items.at(-1)!.id : null });
  });
  return app;
}
