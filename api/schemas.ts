// Zod schemas of what the API answers: they document the answers in the
// OpenAPI description, and the tests hold the real answers to them.

import { z } from "zod";

const isoDate = z.string().describe("ISO 8601 time");

export const errorSchema = z
  .object({
    error: z.looseObject({
      code: z.string().describe("a stable code: bad_request, not_found, name_taken, ..."),
      message: z.string().describe("what failed, with the value and the state"),
    }),
  })
  .describe("Every error: the status says the class, `code` the cause.");

const permissionRule = z.object({ allow: z.union([z.literal(true), z.array(z.string())]), deny: z.array(z.string()) });
const permissionSet = z.record(z.string(), permissionRule);

export const packageViewSchema = z
  .object({
    name: z.string(),
    version: z.string(),
    state: z.enum(["installing", "installed", "starting", "running", "stopping", "failed", "upgrading", "deleted"]),
    desiredState: z.enum(["running", "stopped"]),
    source: z.object({
      kind: z.enum(["git", "path"]),
      url: z.string().optional(),
      ref: z.string().optional(),
      commit: z.string().optional(),
      path: z.string().optional(),
    }),
    error: z.object({ code: z.string(), message: z.string(), at: isoDate }).nullable(),
    permissions: z.object({ requested: permissionSet, granted: permissionSet }),
    dependencies: z.record(z.string(), z.string()).describe("name: semver range"),
    integrity: z.string().describe("sha256-<hex> of the package's files"),
    resolved: z
      .array(z.object({ name: z.string(), version: z.string(), integrity: z.string(), registry: z.string() }))
      .describe("npm and JSR packages its imports resolved to, frozen at add, reload or upgrade"),
    installedAt: isoDate,
    updatedAt: isoDate,
  })
  .describe("A package, as the API returns it");

export const packageListSchema = z.object({ items: z.array(packageViewSchema) });

export const deletedSchema = z.object({ name: z.string(), state: z.literal("deleted") });

export const healthSchema = z.object({
  status: z.literal("ok"),
  node: z.string().describe("the version of Node.js the host runs on, e.g. v24.21.0"),
  uptimeMs: z.number(),
  running: z.number(),
  sandbox: z
    .object({
      mode: z.enum(["process", "inline"]),
      state: z.enum(["idle", "starting", "up", "down", "closed"]).optional().describe("process mode: the sandbox process's state"),
      pid: z.number().nullable().optional(),
      crashes: z.number().optional().describe("crashes of the sandbox process since the host started"),
      recentCrashes: z.number().optional().describe("crashes within the crash window"),
      pkgUrl: z.string().optional().describe("where the sandbox process serves /pkg itself (ISOPOD_PKG_PORT), while it is up"),
    })
    .describe("Where the isolates run; while the sandbox process restarts, /pkg answers 503"),
});

export const tokenViewSchema = z.object({
  id: z.string().describe("16 hex digits; what `DELETE /v1/tokens/{id}` takes"),
  name: z.string(),
  role: z.enum(["admin", "viewer"]),
  createdAt: isoDate,
  lastUsedAt: isoDate.nullable(),
  revokedAt: isoDate.nullable(),
});

export const tokenCreatedSchema = tokenViewSchema.extend({
  token: z.string().describe("the bearer token; shown in this answer only, never again"),
});

export const tokenListSchema = z.object({ items: z.array(tokenViewSchema) });

export const actorPackagesSchema = z.object({ packages: z.array(packageViewSchema) });

export const resourceViewSchema = z
  .object({
    resource: z.string().describe("<package>/<name>"),
    provider: z.string(),
    name: z.string(),
    methods: z.array(z.string()),
    users: z.array(z.string()).describe("installed packages that declare the provider in isopod.dependencies"),
    providedAt: isoDate,
    calls: z.number().describe("calls since the sandbox started, kept across the provider's restarts"),
    errors: z.number().describe("calls that failed, timeouts included"),
    timeouts: z.number(),
    p50Ms: z.number().nullable().describe("latency of the latest calls, null before the first"),
    p99Ms: z.number().nullable(),
  })
  .describe("A registry resource");

export const resourceListSchema = z.object({ items: z.array(resourceViewSchema) });
