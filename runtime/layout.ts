// Where everything lives inside the host's data folder. No other module
// builds paths into it, so nothing is written outside it by accident.

import path from "node:path";
import { folderNameOf } from "./names.ts";

export class DataLayout {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  get database(): string {
    return path.join(this.root, "isopod.db");
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
}
