// /v1/tokens (admin only): create a token with a name and a role (its secret
// is shown once, in that answer), list tokens, revoke one.

import { Hono } from "hono";
import { z } from "zod";
import type { Host } from "../../runtime/index.ts";
import { requireAdmin, type AuthEnv } from "../auth.ts";
import { readBody } from "../body.ts";

export const tokenCreateSchema = z.strictObject({
  name: z.string().min(1).max(64).describe("who the token is for; shown in the audit log"),
  role: z.enum(["admin", "viewer"]).default("viewer").describe("`admin` may do everything, `viewer` only reads"),
});

export function tokenRoutes(host: Pick<Host, "audit" | "tokens">): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const { audit } = host;
  app.use("*", requireAdmin());

  app.get("/", (c) => c.json({ items: host.tokens.list() }));

  app.post("/", async (c) => {
    const body = await readBody(c, tokenCreateSchema);
    const actor = { name: c.get("principal").name };
    const issued = await audit.record(actor, "token.create", null, { name: body.name, role: body.role }, () =>
      Promise.resolve(host.tokens.issue(body.name, body.role)),
    );
    return c.json({ ...issued.view, token: issued.token }, 201);
  });

  app.delete("/:id", async (c) => {
    const id = c.req.param("id");
    const actor = { name: c.get("principal").name };
    const revoked = await audit.record(actor, "token.revoke", null, { id }, () => Promise.resolve(host.tokens.revoke(id)));
    return c.json(revoked);
  });

  return app;
}
