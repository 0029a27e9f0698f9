// MessagePack for the doors (HTTP bodies and answers, the Redis door): the
// one module that imports msgpackr. Only what JSON can hold goes in or comes out.

import { Packr, Unpackr } from "msgpackr";
import { badRequest } from "../errors.ts";

/** Deeper than this is refused rather than risking the stack. */
const MAX_DEPTH = 256;

// Plain MessagePack maps and arrays only: msgpackr's records extension is not standard.
const packr = new Packr({ useRecords: false, variableMapSize: true });
// Maps come back as Map so that a "__proto__" key stays an ordinary key, as with JSON.parse.
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: false, int64AsType: "number" });

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
