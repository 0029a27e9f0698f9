// MessagePack on the wire, equivalent to JSON: request bodies decode to the
// values JSON.parse would give, and one middleware re-encodes JSON answers.

import type { MiddlewareHandler } from "hono";
import { decodeMsgpack, encodeMsgpack } from "../runtime/index.ts";

export { decodeMsgpack, encodeMsgpack };

export const MSGPACK = "application/msgpack";
/** Media types clients use for MessagePack; isopod answers with the first. */
const MSGPACK_TYPES = new Set([MSGPACK, "application/x-msgpack", "application/vnd.msgpack"]);
function mediaTypeOf(header: string | undefined): string {
  return (header ?? "").split(";")[0]!.trim().toLowerCase();
}

export function isMsgpack(contentType: string | undefined): boolean {
  return MSGPACK_TYPES.has(mediaTypeOf(contentType));
}

/** True when `Accept` prefers MessagePack to JSON (q-values honoured, `*\/*` counts for JSON). */
export function prefersMsgpack(accept: string | undefined): boolean {
  let msgpack = 0;
  let json = 0;
  for (const part of (accept ?? "").split(",")) {
    const [type, ...params] = part.split(";").map((s) => s.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith("q="));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2)) || 0;
    if (MSGPACK_TYPES.has(type ?? "")) msgpack = Math.max(msgpack, q);
    else if (type === "application/json" || type === "*/*" || type === "application/*") json = Math.max(json, q);
  }
  return msgpack > 0 && msgpack >= json;
}

/**
 * Re-encodes every JSON answer (errors included) as MessagePack for clients
 * whose `Accept` prefers it: the one place where the answer format switches.
 * Package answers (`/pkg/*`) pass untouched: they are the package's own.
 */
export function msgpackAnswers(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (c.req.path === "/pkg" || c.req.path.startsWith("/pkg/")) return;
    const response = c.res;
    if (mediaTypeOf(response.headers.get("content-type") ?? undefined) !== "application/json") return;
    response.headers.append("vary", "Accept");
    if (!prefersMsgpack(c.req.header("accept"))) return;
    const value: unknown = await response.json();
    const headers = new Headers(response.headers);
    headers.set("content-type", MSGPACK);
    headers.delete("content-length");
    // Unset first: Hono's setter would otherwise copy the old headers over the new ones.
    c.res = undefined;
    c.res = new Response(encodeMsgpack(value), { status: response.status, headers });
  };
}
