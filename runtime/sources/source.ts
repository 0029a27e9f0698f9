// The seam between the lifecycle and where a package's files come from: a
// git source (fetched, staged, moved into place) and a folder on the host (used in place).

import type { PackageRecord, PackageSource } from "../../db/index.ts";

/** Files fetched from a source, not yet part of an installed package. */
export interface FetchedSource {
  /** Where the files are now: a staging folder for git, the folder itself for a path. */
  root: string;
  source: PackageSource;
  /** Moves the files to where package `name` runs from (atomically, on one file system) and returns that folder. */
  settle(name: string): Promise<string>;
  /** Removes whatever this fetch wrote, before or after `settle`; a folder used in place is never touched. */
  discard(): Promise<void>;
}

export interface Source {
  /** Fetches the files that `location` names: a GitHub URL, or a folder on the host. */
  fetch(location: string): Promise<FetchedSource>;
  /** The newest files of an installed package from this source, or undefined when nothing changed (then nothing is downloaded). */
  refresh(record: PackageRecord): Promise<FetchedSource | undefined>;
  /** After a swap: removes the package's fetched versions other than the folders in `keep`. */
  prune(name: string, keep: readonly string[]): Promise<void>;
}
