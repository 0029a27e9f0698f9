// MessagePack on the wire, equivalent to JSON: request bodies decode to the
// values JSON.parse would give, and one middleware re-encodes JSON answers.

import type { MiddlewareHandler } from "hono";
import { Packr, Unpackr } from "msgpackr";
import { badRequest } from "../runtime/index.ts";

export const MSGPACK = "application/msgpack";
/** Media types clients use for MessagePack; isopod answers with the first. */
const MSGPACK_TYPES = new Set([MSGPACK, "application/x-msgpack", "application/vnd.msgpack"]);
/** Deeper than this is refused rather than risking the stack. */
const MAX_DEPTH = 256;

// Plain MessagePack maps and arrays only: msgpackr's records extension is not standard.
const packr = new Packr({ useRecords: false, variableMapSize: true });
// Maps come back as Map so that a "__proto__" key stays an ordinary key, as with JSON.parse.
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: false, int64AsType: "number" });

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

function kindOf(value: unknown): string {
  if (value instanceof Uint8Array) return "binary data";
  if (value instanceof Date) return "a timestamp";
  if (typeof value === "number") return String(value);
  if (value === undefined) return "undefined";
  return typeof value === "object" ? "an extension value" : `a ${typeof value}`;
}

/** The JSON value a decoded MessagePack value stands for; refuses what JSON cannot hold. */
function toJsonValue(value: unknown, where: string, depth: number): unknown {
  if (depth > MAX_DEPTH) throw badRequest(`MessagePack body is nested deeper than ${MAX_DEPTH} levels`);
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  // -0 becomes 0, as it does through JSON text.
  if (typeof value === "number" && Number.isFinite(value)) return value === 0 ? 0 : value;
  if (Array.isArray(value)) return value.map((item, i) => toJsonValue(item, `${where}[${i}]`, depth + 1));
  if (value instanceof Map) {
    const object: Record<string, unknown> = {};
    for (const [key, item] of value) {
      if (typeof key !== "string") throw badRequest(`MessagePack body: map keys must be strings; ${where} has the key ${String(key)}`);
      // defineProperty keeps "__proto__" an own property, as JSON.parse does.
      Object.defineProperty(object, key, {
        value: toJsonValue(item, where === "" ? key : `${where}.${key}`, depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return object;
  }
  throw badRequest(`MessagePack body: ${where === "" ? "the body" : `"${where}"`} is ${kindOf(value)}, which JSON cannot hold`);
}

/** Decodes exactly one MessagePack value into its JSON equivalent; anything else is a 400. */
export function decodeMsgpack(bytes: Uint8Array): unknown {
  let decoded: unknown;
  try {
    decoded = unpackr.unpack(bytes);
  } catch (error) {
    throw badRequest(`request body is not valid MessagePack: ${(error as Error).message}`);
  }
  return toJsonValue(decoded, "", 0);
}

export function encodeMsgpack(value: unknown): Uint8Array {
  return new Uint8Array(packr.pack(value));
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
