// The global `console`: every method formats its arguments and hands one line
// to the host's log, with the level Deno would use.

import type { HostBridge } from "./bridge.ts";
import { formatArgs } from "./format.ts";

export function createConsole(bridge: HostBridge): Record<string, (...args: unknown[]) => void> {
  const emit = (level: string) => (...args: unknown[]) => bridge.log(level, formatArgs(args));
  const counts = new Map<string, number>();
  return {
    log: emit("info"),
    info: emit("info"),
    debug: emit("debug"),
    trace: emit("debug"),
    warn: emit("warn"),
    error: emit("error"),
    assert: (condition?: unknown, ...args: unknown[]) => {
      if (!condition) bridge.log("error", formatArgs(["Assertion failed", ...args]));
    },
    count: (label = "default") => {
      const count = (counts.get(String(label)) ?? 0) + 1;
      counts.set(String(label), count);
      bridge.log("info", `${String(label)}: ${count}`);
    },
    table: emit("info"),
    dir: emit("info"),
  };
}
