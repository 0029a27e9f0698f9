// The shapes of a package that every layer speaks: its validated manifest and
// its permission sets. Types only, so db/, runtime/ and sandbox/ share them.

/** The permissions an isolate can ever hold. */
export type PermissionName = "net" | "env" | "read" | "write";

/** One permission in normal form: `allow` is everything (`true`) or a list; `deny` wins over it. */
export interface PermissionRule {
  allow: true | string[];
  deny: string[];
}
export type PermissionSet = Record<PermissionName, PermissionRule>;

/** The forms Deno accepts for one permission in `deno.json`. */
export type PermissionValue = boolean | string[] | { allow?: boolean | string[] | undefined; deny?: string[] | undefined };

export interface DependencyRequirement {
  range: string;
  source?: string;
}

/** What a package may say about its restart policy; every field is optional. */
export interface RestartRequest {
  maxRestarts?: number | undefined;
  windowMs?: number | undefined;
  backoffMs?: number | undefined;
  maxBackoffMs?: number | undefined;
}

/** A validated manifest in the shape the host uses. */
export interface Manifest {
  name: string;
  version: string;
  /** The entry module, relative to the package root. */
  entry: string;
  requested: PermissionSet;
  dependencies: Record<string, DependencyRequirement>;
  limits: { memoryMb?: number | undefined; timeoutMs?: number | undefined; cpuMs?: number | undefined };
  /** `isopod.restart`, as the package asks; the host fills in and bounds it (runtime/restart/restart_policy.ts). Absent in manifests stored before it existed. */
  restart?: RestartRequest;
  autostart: boolean;
  /** The manifest file's name, for messages. */
  file: string;
}

/** Where a package came from: a folder on the host, or a GitHub tree at a resolved commit. */
export type PackageSource =
  | { kind: "path"; path: string }
  | { kind: "git"; url: string; ref: string; commit: string; path?: string };
