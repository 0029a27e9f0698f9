// Reads and validates request bodies: JSON now, one place to add other
// encodings. Bad input is a 400 that names the field.

import type { Context } from "hono";
import type { z } from "zod";
import { badRequest } from "../runtime/errors.ts";

function describe(issue: z.core.$ZodIssue): string {
  return issue.path.length > 0 ? `"${issue.path.join(".")}" ${issue.message}` : issue.message;
}

/** Parses the body against `schema`; an empty body counts as `{}`. */
export async function readBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  const text = await c.req.text();
  let value: unknown = {};
  if (text.trim() !== "") {
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw badRequest(`request body is not valid JSON: ${(error as Error).message}`);
    }
  }
  const result = schema.safeParse(value);
  if (!result.success) throw badRequest(`invalid request body: ${result.error.issues.map(describe).join("; ")}`);
  return result.data;
}
