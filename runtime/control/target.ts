// What the control pipe reads and drives on a real host: its lifecycle
// operations, its isolates, and how much it has collected.

import type { ControlTarget } from "./commands.ts";
import type { Host } from "../host.ts";

const count = (host: Host, table: "operations" | "logs"): number =>
  (host.store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

export function controlTargetOf(host: Host): ControlTarget {
  return {
    operations: host.operations,
    isolates: () => host.packages.runningCount,
    collected: () => ({ auditEntries: count(host, "operations"), logLines: count(host, "logs") }),
    resources: async () => (await host.sandbox.resources()).map((info) => info.resource),
    uptimeMs: () => Date.now() - host.startedAt,
  };
}
