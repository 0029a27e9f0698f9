// Reads and validates request bodies, JSON or MessagePack (by Content-Type),
// into the same values. Bad input is a 400 that names the field.

import type { Context } from "hono";
import type { z } from "zod";
import { badRequest } from "../runtime/index.ts";
import { decodeMsgpack, isMsgpack } from "./msgpack.ts";

function describe(issue: z.core.$ZodIssue): string {
  return issue.path.length > 0 ? `"${issue.path.join(".")}" ${issue.message}` : issue.message;
}

async function decode(c: Context): Promise<unknown> {
  if (isMsgpack(c.req.header("content-type"))) {
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    return bytes.length === 0 ? {} : decodeMsgpack(bytes);
  }
  const text = await c.req.text();
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw badRequest(`request body is not valid JSON: ${(error as Error).message}`);
  }
}

/** Parses the body against `schema`; an empty body counts as `{}`. */
export async function readBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  const result = schema.safeParse(await decode(c));
  if (!result.success) throw badRequest(`invalid request body: ${result.error.issues.map(describe).join("; ")}`);
  return result.data;
}
