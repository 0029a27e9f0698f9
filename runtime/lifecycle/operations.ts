// The lifecycle operations that the operator's doors (the ThreeBot actor, the
// control pipe) drive, behind one small interface, so that each door is
// written once and an operation the manager gains later is wired here in one line.

import type { PackageRecord } from "../../db/index.ts";
import type { Actor } from "./audit.ts";
import type { BatchReport } from "./batch.ts";
import type { AddRequest, PackageManager } from "./package_manager.ts";

export interface LifecycleOperations {
  add(request: AddRequest, actor: Actor): Promise<PackageRecord>;
  start(name: string, actor: Actor): Promise<PackageRecord>;
  stop(name: string, actor: Actor): Promise<PackageRecord>;
  reload(name: string, actor: Actor): Promise<PackageRecord>;
  upgrade(name: string, actor: Actor): Promise<PackageRecord>;
  delete(name: string, actor: Actor): Promise<void>;
  get(name: string): PackageRecord;
  list(): PackageRecord[];
}

/** One package's operation as a batch of one: its error is thrown, else the package is returned. */
function single(
  packages: PackageManager,
  operation: (names: string[], actor: Actor) => Promise<BatchReport>,
): (name: string, actor: Actor) => Promise<PackageRecord> {
  return async (name, actor) => {
    (await operation([name], actor)).outcome(name);
    return packages.get(name);
  };
}

export function operationsOf(packages: PackageManager): LifecycleOperations {
  return {
    add: (request, actor) => packages.add(request, actor),
    start: single(packages, (names, actor) => packages.start(names, actor)),
    stop: single(packages, (names, actor) => packages.stop(names, actor)),
    reload: single(packages, (names, actor) => packages.reload(names, actor)),
    upgrade: async (name, actor) => (await packages.upgrade(name, actor)).record,
    delete: async (name, actor) => (await packages.delete(name, actor)).outcome(name),
    get: (name) => packages.get(name),
    list: () => packages.list(),
  };
}
