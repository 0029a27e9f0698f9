// A package as the API returns it (docs/reference/api.md#the-package-object).

import type { PackageRecord, PackageSource } from "../../db/index.ts";
import type { PermissionSet } from "../../sandbox/index.ts";

export interface PackageView {
  name: string;
  version: string;
  state: PackageRecord["state"];
  desiredState: PackageRecord["desiredState"];
  source: PackageSource;
  error: { code: string; message: string; at: string } | null;
  permissions: { requested: PermissionSet; granted: PermissionSet };
  dependencies: Record<string, string>;
  integrity: string;
  /** The npm and JSR packages its imports resolved to, frozen at add, reload or upgrade. */
  resolved: { name: string; version: string; integrity: string; registry: string }[];
  installedAt: string;
  updatedAt: string;
}

export function viewOf(record: PackageRecord): PackageView {
  return {
    name: record.name,
    version: record.version,
    state: record.state,
    desiredState: record.desiredState,
    source: record.source,
    error: record.error && { ...record.error, at: new Date(record.error.at).toISOString() },
    permissions: {
      requested: record.manifest.requested,
      granted: record.granted,
    },
    dependencies: record.dependencies,
    integrity: record.integrity,
    resolved: record.resolved.map(({ name, version, integrity, registry }) => ({ name, version, integrity, registry })),
    installedAt: new Date(record.installedAt).toISOString(),
    updatedAt: new Date(record.updatedAt).toISOString(),
  };
}
