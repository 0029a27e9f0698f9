// The functions the host hands to the isolate. They arrive as plain functions
// (isolated-vm Callbacks); arguments and results are copies.

export interface HostBridge {
  /** Appends one line to the package's log. Fire and forget. */
  log(level: string, message: string): void;
  /** Asks the host to call back timer `id` after `delay` ms; false when the isolate has too many timers. */
  timerSet(id: number, delay: number, repeat: boolean): boolean;
  /** Cancels a timer. Fire and forget. */
  timerClear(id: number): void;
}

/** What the host sends with each hook call: the plain-data part of `ctx`. */
export interface ContextData {
  package: { name: string; version: string };
  config: Record<string, unknown>;
}

/** What a dispatched call reports back: null on success, or the error's name and message. */
export type CallOutcome = null | { name: string; message: string };
