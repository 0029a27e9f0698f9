// The add request as every door takes it (HTTP body, the actor's `package_add`,
// the Redis door): snake_case on the wire, checked by zod, turned into the manager's request.

import { z } from "zod";
import type { AddRequest } from "./add.ts";

const permissionValue = z.union([
  z.boolean(),
  z.array(z.string()),
  z.strictObject({ allow: z.union([z.boolean(), z.array(z.string())]).optional(), deny: z.array(z.string()).optional() }),
]);

export const addRequestSchema = z
  .strictObject({
    git_url: z.string().min(1).optional(),
    path: z.string().min(1).optional(),
    reload: z.boolean().optional(),
    start: z.boolean().optional(),
    grant: z.union([z.literal("requested"), z.record(z.string(), permissionValue)]).optional(),
    env: z.record(z.string(), z.string()).optional(),
    config: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((body) => (body.git_url === undefined) !== (body.path === undefined), {
    message: 'give exactly one of "git_url" or "path"',
  });

/** The manager's add request from the API's body (snake_case on the wire, absent fields left out). */
export function addRequestOf(body: z.infer<typeof addRequestSchema>): AddRequest {
  return {
    ...(body.path !== undefined && { path: body.path }),
    ...(body.git_url !== undefined && { gitUrl: body.git_url }),
    ...(body.reload !== undefined && { reload: body.reload }),
    ...(body.start !== undefined && { start: body.start }),
    ...(body.grant !== undefined && { grant: body.grant }),
    ...(body.env !== undefined && { env: body.env }),
    ...(body.config !== undefined && { config: body.config }),
  };
}
