// Calls into an isolate's dispatcher by name, typed by the table the isolate
// implements (DispatchCalls in sandbox/isolate/core/bridge.ts): one protocol, checked on both sides.

import type { DispatchCalls, DispatchKind } from "../isolate/core/bridge.ts";
import { callInto, callIntoSync, type CallOptions, type Copied, type FunctionRef, type InIsolate } from "./ivm.ts";

/** Each argument as the isolate takes it: a plain value, a deep copy of one, or a value already inside. */
type Arg<T> = T | Copied<T> | InIsolate<T>;
type Args<P extends unknown[]> = { [I in keyof P]: Arg<P[I]> };

/** The isolate's dispatcher, and how many calls into it have not settled (a sync call may only enter an idle isolate). */
export interface Dispatcher {
  readonly ref: FunctionRef;
  pending: number;
}

export function dispatcherOf(ref: FunctionRef): Dispatcher {
  return { ref, pending: 0 };
}

export function dispatchCall<K extends DispatchKind>(
  dispatcher: Dispatcher,
  kind: K,
  args: Args<Parameters<DispatchCalls[K]>>,
  options: CallOptions,
): Promise<Awaited<ReturnType<DispatchCalls[K]>>> {
  dispatcher.pending++;
  const call = callInto(dispatcher.ref, [kind, ...args], options) as Promise<Awaited<ReturnType<DispatchCalls[K]>>>;
  const settle = () => void dispatcher.pending--;
  call.then(settle, settle);
  return call;
}

/**
 * The same call run on this thread (isolated-vm `applySync`), its result
 * copied out; throws what the call throws. The caller makes sure the isolate
 * is idle (`pending` 0) and the call short: it blocks the event loop.
 */
export function dispatchCallSync<K extends DispatchKind>(
  dispatcher: Dispatcher,
  kind: K,
  args: Args<Parameters<DispatchCalls[K]>>,
  options: { timeout: number },
): ReturnType<DispatchCalls[K]> {
  // Counted while it runs: a call it makes to the host must not enter this isolate again.
  dispatcher.pending++;
  syncDepth++;
  try {
    return callIntoSync(dispatcher.ref, [kind, ...args], options) as ReturnType<DispatchCalls[K]>;
  } finally {
    dispatcher.pending--;
    syncDepth--;
  }
}

let syncDepth = 0;

/** How many calls run on this thread now, one inside another (0: the host's own code runs, not an isolate's). */
export function syncCallDepth(): number {
  return syncDepth;
}
