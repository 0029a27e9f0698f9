// A registry dispatch (a call to serve, an answer to take) run on the host's
// thread when the isolate is idle: no hand-off to the isolate's thread and back.

import type { CpuWatchdog } from "./cpu_watchdog.ts";
import { dispatchCallSync, syncCallDepth, type Dispatcher } from "./dispatch_call.ts";
import { copyOf } from "./ivm.ts";
import type { RequestDispatch } from "./request_dispatch.ts";
import type { RegistryDispatch } from "../registry/registry_calls.ts";

/**
 * Calls served on the host's thread inside one another (A's request calls B,
 * whose method calls C, ...): past this, calls go to the provider's own
 * thread, so that nesting cannot exhaust the host's stack.
 */
export const MAX_INLINE_NESTING = 8;

/**
 * Runs registry dispatches into one isolate on the host's thread, under the
 * same bounds as requests there (sandbox/host/request_dispatch.ts): only when
 * the isolate is idle (no call in flight, none of its code on the stack),
 * within the same timeout (the shorter of its wall time and just past its CPU budget), charged to the same blocking-time credit and CPU budget.
 */
export class RegistryDelivery {
  readonly #requests: RequestDispatch;
  readonly #cpu: CpuWatchdog;

  constructor(requests: RequestDispatch, cpu: CpuWatchdog) {
    this.#requests = requests;
    this.#cpu = cpu;
  }

  /**
   * Runs `kind` now if it may: true once it ran, false when it must go to
   * the isolate's thread. Throws what isolated-vm throws (timed out, disposed).
   * An answer (`registryResolve`) runs the caller's continuation, so it is
   * taken here only from the host's own code, never inside another isolate's call.
   */
  deliver(dispatcher: Dispatcher, kind: RegistryDispatch, id: number, payload: unknown): boolean {
    if (dispatcher.pending > 0 || this.#requests.onThread) return false;
    const depth = syncCallDepth();
    if (depth >= MAX_INLINE_NESTING || (kind === "registryResolve" && depth > 0)) return false;
    // The CPU watchdog charges the call when it returns (the event loop is blocked meanwhile); its wall time bounds it.
    this.#cpu.watchSync(kind === "registryServe" ? "a registry call" : "a registry answer", () =>
      this.#requests.onHostThread(() => dispatchCallSync(dispatcher, kind, [id, copyOf(payload)], { timeout: this.#requests.syncTimeoutMs })),
    );
    return true;
  }
}
