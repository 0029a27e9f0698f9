// Bearer tokens with roles: every route but /pkg/* and /healthz needs one;
// `viewer` may only read (GET and HEAD).

import type { MiddlewareHandler } from "hono";
import { IsopodError, type Principal, type TokenService } from "../runtime/index.ts";

export type AuthEnv = { Variables: { principal: Principal } };

const READ_METHODS = new Set(["GET", "HEAD"]);

export function requireToken(tokens: TokenService): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) {
      throw new IsopodError("unauthorized", "missing bearer token: send Authorization: Bearer <token>");
    }
    const principal = tokens.authenticate(match[1]!);
    if (!principal) throw new IsopodError("unauthorized", "invalid or revoked token");
    if (principal.role !== "admin" && !READ_METHODS.has(c.req.method)) {
      throw new IsopodError("forbidden", `a ${principal.role} token cannot ${c.req.method} ${c.req.path}; use an admin token`);
    }
    c.set("principal", principal);
    await next();
  };
}

/** For routes that only an admin may use, reads included (tokens, actors). */
export function requireAdmin(): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const principal = c.get("principal");
    if (principal.role !== "admin") {
      throw new IsopodError("forbidden", `a ${principal.role} token cannot ${c.req.method} ${c.req.path}; use an admin token`);
    }
    await next();
  };
}
