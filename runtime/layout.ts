// Where everything lives inside the host's data folder. No other module
// builds paths into it, so nothing is written outside it by accident.

import path from "node:path";
import { folderNameOf } from "../common/names.ts";

export class DataLayout {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  get database(): string {
    return path.join(this.root, "isopod.db");
  }

  /** This host's name in a fleet, made at its first start in one (runtime/fleet/). */
  get fleetHostIdFile(): string {
    return path.join(this.root, "fleet-host-id");
  }

  get adminTokenFile(): string {
    return path.join(this.root, "admin-token");
  }

  /** Liota's control channel: a named pipe, mode 0600. */
  get controlPipe(): string {
    return path.join(this.root, "control");
  }

  get bundleCache(): string {
    return path.join(this.root, "cache", "bundles");
  }

  /** Resolved npm and JSR packages, content-addressed, shared between packages (runtime/packages/cache/). */
  get dependencyCache(): string {
    return path.join(this.root, "cache");
  }

  /** The sandbox process's entry, bundled by the host (sandbox/process/sandbox_entry.ts). */
  get sandboxCache(): string {
    return path.join(this.root, "cache", "sandbox");
  }

  /** Where fetched sources are unpacked before they are moved into place (same file system, so the move is atomic). */
  get staging(): string {
    return path.join(this.root, "staging");
  }

  get trash(): string {
    return path.join(this.root, "trash");
  }

  /** Everything the host keeps for one package: its data folder, and fetched sources. */
  packageDir(name: string): string {
    return path.join(this.root, "packages", folderNameOf(name));
  }

  /** The folder a package sees as `./data`; it survives reloads and upgrades. */
  dataDir(name: string): string {
    return path.join(this.packageDir(name), "data");
  }

  /** The fetched versions of a git package, one folder each: the current one and the one before it. */
  versionsDir(name: string): string {
    return path.join(this.packageDir(name), "versions");
  }

  /** One fetched version of a git package; `id` is the short commit and a fetch stamp. */
  versionDir(name: string, id: string): string {
    return path.join(this.versionsDir(name), id);
  }
}
