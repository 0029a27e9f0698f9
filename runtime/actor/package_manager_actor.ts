// ThreeBot's package_manager actor, whatever the door: its methods, their
// argument names and checks, and their answers. HTTP and the Redis door adapt it.

import { z } from "zod";
// The add request's schema is the one POST /v1/packages takes (issue 11 may move it under runtime/).
import { addRequestOf, addRequestSchema } from "../lifecycle/add_request.ts";
import type { Actor } from "../lifecycle/audit.ts";
import { badRequest, IsopodError } from "../errors.ts";
import { isPackageName } from "../../common/names.ts";
import type { LifecycleOperations } from "../lifecycle/operations.ts";
import { viewOf } from "../views/package_view.ts";

/** `package_add` takes what POST /v1/packages takes; the actor's own names are git_url, path and reload. */
export const packageAddSchema = addRequestSchema;

export const packageNameSchema = z.strictObject({
  name: z.string().refine(isPackageName, { message: "is not a valid package name" }).describe("the package's name, as package_add answered it"),
});

export const packagesListSchema = z.strictObject({});

export const ACTOR_METHODS = ["package_add", "package_delete", "package_start", "package_stop", "package_upgrade", "packages_list"] as const;
export type ActorMethod = (typeof ACTOR_METHODS)[number];

/** Methods a viewer token may call where a door lets viewers in (the Redis door, docs/doors.md). */
const READ_METHODS: ReadonlySet<ActorMethod> = new Set(["packages_list"]);

export function isActorMethod(method: string): method is ActorMethod {
  return (ACTOR_METHODS as readonly string[]).includes(method);
}

/** True when `method` only reads. */
export function isReadMethod(method: ActorMethod): boolean {
  return READ_METHODS.has(method);
}

function describe(issue: z.core.$ZodIssue): string {
  return issue.path.length > 0 ? `"${issue.path.join(".")}" ${issue.message}` : issue.message;
}

function parse<T extends z.ZodType>(method: ActorMethod, schema: T, args: unknown): z.infer<T> {
  const result = schema.safeParse(args ?? {});
  if (!result.success) throw badRequest(`invalid arguments for ${method}: ${result.error.issues.map(describe).join("; ")}`);
  return result.data;
}

/**
 * Runs one of the actor's methods with its arguments (already decoded from
 * JSON or MessagePack; `undefined` counts as `{}`), and returns its answer.
 *
 * @example
 * const answer = await callActor(host.operations, "package_start", { name: "@acme/clock" }, { name: "admin" });
 */
export async function callActor(ops: LifecycleOperations, method: string, args: unknown, actor: Actor): Promise<unknown> {
  if (!isActorMethod(method)) {
    throw new IsopodError("not_found", `package_manager has no method "${method}"; it has ${ACTOR_METHODS.join(", ")}`);
  }
  switch (method) {
    case "package_add":
      return viewOf(await ops.add(addRequestOf(parse(method, packageAddSchema, args)), actor));
    case "package_start":
      return viewOf(await ops.start(parse(method, packageNameSchema, args).name, actor));
    case "package_stop":
      return viewOf(await ops.stop(parse(method, packageNameSchema, args).name, actor));
    case "package_upgrade":
      return viewOf(await ops.upgrade(parse(method, packageNameSchema, args).name, actor));
    case "package_delete": {
      const { name } = parse(method, packageNameSchema, args);
      await ops.delete(name, actor);
      return { name, state: "deleted" };
    }
    case "packages_list":
      parse(method, packagesListSchema, args);
      return { packages: ops.list().map(viewOf) };
  }
}
