// What the fleet keeps in its engine, as zod schemas: every value read back
// is validated, since a member or the engine itself may hold anything.

import { z } from "zod";
import { isPackageName } from "../../common/names.ts";
import { HOST_ID } from "./fleet_config.ts";

const packageName = z.string().max(214).refine(isPackageName, { message: "is not a package name" });
const hostId = z.string().regex(HOST_ID);
const short = z.string().max(4096);

/** Where every host fetches the package from: the same GitHub URL, or the same folder on every host. */
const sourceSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("git"), url: z.string().url().max(2048) }),
  z.strictObject({ kind: z.literal("path"), path: z.string().startsWith("/").max(4096) }),
]);

/** One package of the fleet: the add request every host replays, and the run state and version it should reach. */
const liveSpecSchema = z.strictObject({
  name: packageName,
  deleted: z.literal(false),
  source: sourceSchema,
  grant: z.union([z.literal("requested"), z.record(z.string(), z.unknown())]).optional(),
  env: z.record(z.string(), z.string()),
  config: z.record(z.string(), z.unknown()),
  desiredState: z.enum(["running", "stopped"]),
  /** The files' SHA-256 on the host that wrote this: a host with other files upgrades towards it. */
  integrity: short,
  version: short,
  by: hostId,
  at: z.number(),
});

/** A package deleted from the fleet: every host deletes it (with what depends on it). */
const tombstoneSchema = z.strictObject({ name: packageName, deleted: z.literal(true), by: hostId, at: z.number() });

export const desiredSchema = z.discriminatedUnion("deleted", [liveSpecSchema, tombstoneSchema]);
export type DesiredPackage = z.infer<typeof desiredSchema>;
export type LiveSpec = z.infer<typeof liveSpecSchema>;
export type FleetSource = z.infer<typeof sourceSchema>;

/** A live host: renewed every third of the lease, gone from the bucket when it stops. */
export const memberSchema = z.strictObject({
  id: hostId,
  address: short,
  /** False until the host has reconciled to the desired state once since it (re)joined. */
  ready: z.boolean(),
  startedAt: z.number(),
  at: z.number(),
});
export type Member = z.infer<typeof memberSchema>;

const errorSchema = z.strictObject({ code: short, message: short });

/** One package on one host, as that host reports it. */
export const packageReportSchema = z.strictObject({
  /** The local state; `absent` when the host could not install it (see `error`). */
  state: short,
  desiredState: z.enum(["running", "stopped"]).nullable(),
  version: short.nullable(),
  integrity: short.nullable(),
  commit: short.nullable(),
  error: errorSchema.nullable(),
  /** The last fleet operation this host carried out on the package, and how it ended (a failed upgrade shows here). */
  last: z.strictObject({ operation: short, ok: z.boolean(), error: errorSchema.nullable(), at: z.number() }).nullable(),
});
export type PackageReport = z.infer<typeof packageReportSchema>;

/** A host's last report; kept after the host is gone, so the fleet view can say what it last ran. */
export const reportSchema = z.strictObject({
  id: hostId,
  address: short,
  at: z.number(),
  packages: z.record(packageName, packageReportSchema),
});
export type HostReport = z.infer<typeof reportSchema>;
