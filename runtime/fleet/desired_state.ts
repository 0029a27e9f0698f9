// The fleet's desired state in the engine: read back validated (a corrupt
// entry is skipped and named once), and written from a host's local records.

import type { PackageRecord } from "../../db/index.ts";
import type { AddRequest } from "../lifecycle/package_manager.ts";
import type { FleetEngine } from "./engine.ts";
import { desiredSchema, type DesiredPackage, type FleetSource, type LiveSpec } from "./schema.ts";

export class DesiredState {
  readonly #engine: FleetEngine;
  readonly #hostId: string;
  readonly #log: (line: string) => void;
  readonly #reported = new Set<string>();

  constructor(engine: FleetEngine, hostId: string, log: (line: string) => void) {
    this.#engine = engine;
    this.#hostId = hostId;
    this.#log = log;
  }

  /** Every valid entry by package name; an entry that fails validation is left out, and logged once per revision. */
  async read(): Promise<Map<string, DesiredPackage>> {
    const specs = new Map<string, DesiredPackage>();
    for (const entry of await this.#engine.entries("desired")) {
      const parsed = desiredSchema.safeParse(entry.value);
      if (parsed.success && parsed.data.name === entry.key) specs.set(entry.key, parsed.data);
      else this.#reportCorrupt(entry.key, entry.revision, parsed.success ? "its name differs from its key" : parsed.error.message);
    }
    return specs;
  }

  /** After an add on this host: the request as every host should replay it, the state and files it reached here. */
  async added(request: AddRequest, record: PackageRecord, previous: DesiredPackage | undefined): Promise<void> {
    const keepGrant = previous && !previous.deleted && !request.reload ? previous.grant : request.grant;
    await this.#put({ ...this.#specOf(record), ...(keepGrant !== undefined && { grant: keepGrant }) });
  }

  /** After a start, stop, reload or upgrade: a fleet package's run state and files as they are now on this host. */
  async changed(record: PackageRecord, previous: LiveSpec): Promise<void> {
    const { grant } = previous;
    await this.#put({ ...this.#specOf(record), ...(grant !== undefined && { grant }) });
  }

  async deleted(name: string): Promise<void> {
    await this.#put({ name, deleted: true, by: this.#hostId, at: Date.now() });
  }

  #specOf(record: PackageRecord): LiveSpec {
    return {
      name: record.name,
      deleted: false,
      source: sourceOf(record),
      env: record.env,
      config: record.config,
      desiredState: record.desiredState,
      integrity: record.integrity,
      version: record.version,
      by: this.#hostId,
      at: Date.now(),
    };
  }

  /** Validated before it leaves, as it will be when read back. */
  async #put(value: DesiredPackage | (Omit<LiveSpec, "grant"> & { grant?: unknown })): Promise<void> {
    const spec = desiredSchema.parse(value);
    await this.#engine.put("desired", spec.name, spec);
  }

  #reportCorrupt(key: string, revision: number, why: string): void {
    const id = `${key}@${revision}`;
    if (this.#reported.has(id)) return;
    this.#reported.add(id);
    this.#log(`fleet: ignoring the desired state of ${JSON.stringify(key.slice(0, 240))} (revision ${revision}): ${why}`);
  }
}

/** The source every host fetches from: the GitHub URL as recorded, or the folder's absolute path. */
export function sourceOf(record: PackageRecord): FleetSource {
  return record.source.kind === "git" ? { kind: "git", url: record.source.url } : { kind: "path", path: record.source.path };
}
