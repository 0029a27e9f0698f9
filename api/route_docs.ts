// What the OpenAPI description says about each route, keyed by "METHOD /path"
// as OpenAPI writes it. Bodies are the very schemas the routes validate with.
// A route missing here still appears in the description, with less to say.

import type { z } from "zod";
import { packageAddSchema, packageNameSchema, packagesListSchema } from "./routes/actors.ts";
import { addRequestSchema } from "../runtime/index.ts";
import { tokenCreateSchema } from "./routes/tokens.ts";
import { inspectRequestSchema } from "./ui/index.ts";
import {
  actorPackagesSchema,
  deletedSchema,
  healthSchema,
  packageListSchema,
  packageViewSchema,
  resourceListSchema,
  resourceViewSchema,
  tokenCreatedSchema,
  tokenListSchema,
  tokenViewSchema,
} from "./schemas.ts";

export interface RouteDoc {
  summary: string;
  /** More than the summary says (Markdown). */
  description?: string;
  tag: string;
  /** The schema that validates the request body. */
  body?: z.ZodType;
  /** The schema of a successful answer. */
  response?: z.ZodType;
  /** Status of a successful answer; default 200. */
  status?: number;
  /** Query parameters, by name. */
  query?: Record<string, { description: string; type: "boolean" | "string" | "integer" }>;
  /** Needs no token. */
  public?: boolean;
  /** Needs an admin token even to read. */
  adminOnly?: boolean;
}

const actor = (summary: string, body: z.ZodType, response: z.ZodType): RouteDoc => ({
  summary,
  tag: "ThreeBot actor",
  body,
  response,
  adminOnly: true,
});

export const ROUTE_DOCS: Record<string, RouteDoc> = {
  "GET /healthz": { summary: "Liveness and readiness", tag: "host", response: healthSchema, public: true },
  "GET /docs": { summary: "This description, rendered (Swagger UI); asks for a token", tag: "host", public: true },
  "GET /v1/openapi.json": { summary: "This description of the API (OpenAPI 3.1)", tag: "host" },
  "GET /ui": { summary: "The operator's web dashboard (signs in with a token; docs/ui.md)", tag: "dashboard", public: true },
  "GET /v1/ui/session": { summary: "Who the token is: its name and role", tag: "dashboard" },
  "POST /v1/ui/inspect": {
    summary: "The name, version and requested permissions of a folder on the host, before adding it",
    tag: "dashboard",
    body: inspectRequestSchema,
    adminOnly: true,
  },
  "GET /v1/fleet": { summary: "Every host of the fleet, and each package's state and version on each host (404 outside a fleet, 503 while its engine is away)", tag: "fleet" },
  "GET /v1/packages": { summary: "List packages", tag: "packages", response: packageListSchema },
  "POST /v1/packages": {
    summary: "Add a package from a GitHub tree URL or a folder on the host",
    description:
      "With `Accept: application/x-ndjson` the answer is 200 at once and streams one JSON line per step " +
      '(`{"type":"step","step":"downloading","bytes":1024}`), then `{"type":"result","package":{...}}` or ' +
      '`{"type":"error","status":422,"error":{"code","message"}}`; see docs/reference/api.md#progress.',
    tag: "packages",
    body: addRequestSchema,
    response: packageViewSchema,
  },
  "GET /v1/packages/{name}": { summary: "One package", tag: "packages", response: packageViewSchema },
  "POST /v1/packages/{name}/start": { summary: "Start a package (and, first, its dependencies)", tag: "packages", response: packageViewSchema },
  "POST /v1/packages/{name}/stop": { summary: "Stop a package (its dependents first)", tag: "packages", response: packageViewSchema },
  "DELETE /v1/packages/{name}": { summary: "Delete a package; its history stays", tag: "packages", response: deletedSchema },
  "GET /v1/resources": {
    summary: "Registry resources: provider, the packages that may use each, call counts and latency",
    tag: "registry",
    response: resourceListSchema,
    query: { provider: { description: "only the resources of this package", type: "string" } },
  },
  "GET /v1/tokens": { summary: "List tokens (never their secrets)", tag: "tokens", response: tokenListSchema, adminOnly: true },
  "POST /v1/tokens": {
    summary: "Create a token; its secret is in this answer only",
    tag: "tokens",
    body: tokenCreateSchema,
    response: tokenCreatedSchema,
    status: 201,
    adminOnly: true,
  },
  "DELETE /v1/tokens/{id}": { summary: "Revoke a token", tag: "tokens", response: tokenViewSchema, adminOnly: true },
  "POST /actors/package_manager/package_add": actor("Add a package (git_url or path, reload)", packageAddSchema, packageViewSchema),
  "POST /actors/package_manager/package_start": actor("Start a package by name", packageNameSchema, packageViewSchema),
  "POST /actors/package_manager/package_stop": actor("Stop a package by name", packageNameSchema, packageViewSchema),
  "POST /actors/package_manager/package_upgrade": actor("Upgrade a package by name", packageNameSchema, packageViewSchema),
  "POST /actors/package_manager/package_delete": actor("Delete a package by name", packageNameSchema, deletedSchema),
  "POST /actors/package_manager/packages_list": actor("List packages", packagesListSchema, actorPackagesSchema),
};

/** Component names for shared schemas; others are named after their operation. */
export const SCHEMA_NAMES: [z.ZodType, string][] = [
  [packageViewSchema, "Package"],
  [packageListSchema, "PackageList"],
  [addRequestSchema, "AddRequest"],
  [deletedSchema, "Deleted"],
  [resourceViewSchema, "Resource"],
  [resourceListSchema, "ResourceList"],
  [healthSchema, "Health"],
  [tokenCreateSchema, "TokenCreate"],
  [tokenViewSchema, "Token"],
  [tokenCreatedSchema, "TokenCreated"],
  [tokenListSchema, "TokenList"],
  [packageNameSchema, "ActorName"],
  [packagesListSchema, "ActorNoArguments"],
  [actorPackagesSchema, "ActorPackages"],
];
