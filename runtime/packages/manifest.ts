// A package's manifest: its `deno.json` (or `deno.jsonc`), read and validated
// with errors that name the file and the field.

import { readFile } from "node:fs/promises";
import path from "node:path";
import { parse as parseJsonc, printParseErrorCode, type ParseError } from "jsonc-parser";
import semver from "semver";
import { z } from "zod";
import { badRequest, invalidPackage } from "../errors.ts";
import { isPackageName } from "../../common/names.ts";
import type { DependencyRequirement, Manifest, RestartRequest } from "../../common/package_types.ts";
import {
  asksForAnything,
  GRANTABLE,
  NEVER_GRANTED,
  permissionSetOf,
  type PermissionSet,
  type PermissionValue,
} from "../../sandbox/permissions/permissions.ts";

export const MANIFEST_FILES = ["deno.json", "deno.jsonc"] as const;

const permissionValue = z.union([
  z.boolean(),
  z.array(z.string()),
  z.strictObject({
    allow: z.union([z.boolean(), z.array(z.string())]).optional(),
    deny: z.array(z.string()).optional(),
  }),
]);

const dependencySpec = z.union([
  z.string().refine((range) => semver.validRange(range) !== null, { message: "must be a semver range" }),
  z.strictObject({
    version: z.string().refine((range) => semver.validRange(range) !== null, { message: "must be a semver range" }),
    source: z.string().min(1),
  }),
]);

const limits = z.strictObject({
  memoryMb: z.number().int().positive().optional(),
  timeoutMs: z.number().int().positive().optional(),
  cpuMs: z.number().int().positive().optional(),
});

const restart = z.strictObject({
  maxRestarts: z.number().int().nonnegative().optional(),
  windowMs: z.number().int().positive().optional(),
  backoffMs: z.number().int().positive().optional(),
  maxBackoffMs: z.number().int().positive().optional(),
});

const manifestSchema = z.object({
  name: z.string({ error: "is required" }).refine(isPackageName, {
    message: "must match @scope/name or name (lowercase letters, digits, . _ -), at most 214 characters",
  }),
  version: z.string({ error: "is required" }).refine((v) => semver.valid(v) !== null, {
    message: "must be a semver version such as 1.2.0",
  }),
  exports: z.union([z.string().min(1), z.looseObject({ ".": z.string().min(1) })], {
    error: 'is required: a path such as "./mod.ts", or an object with a "." key',
  }),
  permissions: z
    .object({ default: z.record(z.string(), permissionValue).optional() })
    .optional(),
  isopod: z
    .object({
      dependencies: z.record(z.string(), dependencySpec).optional(),
      limits: limits.optional(),
      restart: restart.optional(),
      autostart: z.boolean().optional(),
    })
    .optional(),
});

export type { DependencyRequirement, Manifest, RestartRequest };

function describeIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.length > 0 ? `"${issue.path.join(".")}"` : "the manifest";
  return `${field} ${issue.message}`;
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split("\n");
  return `line ${before.length}, column ${before.at(-1)!.length + 1}`;
}

function parseText(text: string, file: string): unknown {
  const errors: ParseError[] = [];
  const value: unknown = parseJsonc(text, errors, { allowTrailingComma: true });
  const first = errors[0];
  if (first) {
    throw invalidPackage(
      `invalid package manifest ${file}: not valid JSON (${printParseErrorCode(first.error)} at ${lineAndColumn(text, first.offset)})`,
    );
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw invalidPackage(`invalid package manifest ${file}: must be a JSON object`);
  }
  return value;
}

function checkPermissionNames(requested: Record<string, PermissionValue>, file: string): void {
  for (const [name, value] of Object.entries(requested)) {
    if ((NEVER_GRANTED as readonly string[]).includes(name)) {
      if (asksForAnything(value)) {
        throw invalidPackage(
          `invalid package manifest ${file}: permission "${name}" can never be granted inside an isolate`,
          { permission: name },
        );
      }
    } else if (!(GRANTABLE as readonly string[]).includes(name)) {
      throw invalidPackage(`invalid package manifest ${file}: unknown permission "${name}"`, { permission: name });
    }
  }
}

/** Validates a parsed manifest object; `file` is only used in messages. */
export function validateManifest(raw: unknown, file: string): Manifest {
  const result = manifestSchema.safeParse(raw);
  if (!result.success) {
    const messages = result.error.issues.map(describeIssue);
    throw invalidPackage(`invalid package manifest ${file}: ${messages.join("; ")}`);
  }
  const data = result.data;
  const requested = data.permissions?.default ?? {};
  checkPermissionNames(requested, file);
  const dependencies: Record<string, DependencyRequirement> = {};
  for (const [name, spec] of Object.entries(data.isopod?.dependencies ?? {})) {
    if (!isPackageName(name)) {
      throw invalidPackage(`invalid package manifest ${file}: dependency "${name}" is not a valid package name`);
    }
    dependencies[name] = typeof spec === "string" ? { range: spec } : { range: spec.version, source: spec.source };
  }
  const entry = typeof data.exports === "string" ? data.exports : data.exports["."];
  return {
    name: data.name,
    version: data.version,
    entry,
    requested: permissionSetOf(requested),
    dependencies,
    limits: { ...data.isopod?.limits },
    restart: { ...data.isopod?.restart },
    autostart: data.isopod?.autostart ?? false,
    file: path.basename(file),
  };
}

/** Finds, reads and validates the manifest at a package root. */
export async function readManifest(root: string): Promise<Manifest> {
  for (const name of MANIFEST_FILES) {
    const file = path.join(root, name);
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw invalidPackage(`cannot read package manifest ${file}: ${(error as Error).message}`);
    }
    return validateManifest(parseText(text, file), file);
  }
  throw invalidPackage(`no deno.json or deno.jsonc in ${root}`);
}

/** Parses a grant from the API: a permission set in Deno's syntax, or "requested". */
export function parseGrant(grant: unknown, requested: PermissionSet): PermissionSet {
  if (grant === undefined || grant === null) return permissionSetOf({});
  if (grant === "requested") return requested;
  const shape = z.record(z.string(), permissionValue).safeParse(grant);
  if (!shape.success) {
    throw badRequest(`invalid grant: ${shape.error.issues.map(describeIssue).join("; ")}`);
  }
  for (const name of Object.keys(shape.data)) {
    if (!(GRANTABLE as readonly string[]).includes(name)) {
      throw badRequest(`invalid grant: permission "${name}" can never be granted inside an isolate`);
    }
  }
  return permissionSetOf(shape.data);
}
