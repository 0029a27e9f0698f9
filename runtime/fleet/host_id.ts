// This host's name in the fleet: ISOPOD_FLEET_HOST_ID, else one made at its
// first start in a fleet and kept in the data folder, so a restart keeps it.

import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { HOST_ID } from "./fleet_config.ts";

export function hostIdOf(configured: string | undefined, file: string): string {
  if (configured !== undefined) return configured;
  try {
    const kept = readFileSync(file, "utf8").trim();
    if (HOST_ID.test(kept)) return kept;
  } catch {
    // none yet: made below
  }
  const made = `host-${randomBytes(6).toString("hex")}`;
  writeFileSync(file, `${made}\n`, { mode: 0o600 });
  return made;
}
