// What the control pipe reads and drives on a real host: its lifecycle
// operations, its isolates, and how much it has collected.

import type { ControlTarget } from "./commands.ts";
import type { Host } from "../host.ts";

export function controlTargetOf(host: Host): ControlTarget {
  return {
    operations: host.operations,
    isolates: () => host.packages.runningCount,
    collected: () => {
      const counts = host.store.counts();
      return { auditEntries: counts.operations, logLines: counts.logs };
    },
    resources: async () => (await host.sandbox.resources()).map((info) => info.resource),
    uptimeMs: () => Date.now() - host.startedAt,
  };
}
