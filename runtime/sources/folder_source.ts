// A folder on the host as a Source: used in place, so a refresh is a re-read
// and "unchanged" means the same SHA-256 over the files.

import type { PackageRecord } from "../../db/index.ts";
import { hashFolder } from "../packages/integrity.ts";
import { resolvePathSource } from "./path_source.ts";
import type { FetchedSource, Source } from "./source.ts";

export class FolderSource implements Source {
  async fetch(location: string): Promise<FetchedSource> {
    const { root, source } = await resolvePathSource(location);
    return { root, source, settle: () => Promise.resolve(root), discard: () => Promise.resolve() };
  }

  async refresh(record: PackageRecord): Promise<FetchedSource | undefined> {
    const fetched = await this.fetch(record.source.path ?? record.folder);
    return (await hashFolder(fetched.root)) === record.integrity ? undefined : fetched;
  }

  prune(): Promise<void> {
    return Promise.resolve();
  }
}
