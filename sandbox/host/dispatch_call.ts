// Calls into an isolate's dispatcher by name, typed by the table the isolate
// implements (DispatchCalls in sandbox/isolate/core/bridge.ts): one protocol, checked on both sides.

import type { DispatchCalls, DispatchKind } from "../isolate/core/bridge.ts";
import { callInto, type CallOptions, type Copied, type FunctionRef, type InIsolate } from "./ivm.ts";

/** Each argument as the isolate takes it: a plain value, a deep copy of one, or a value already inside. */
type Arg<T> = T | Copied<T> | InIsolate<T>;
type Args<P extends unknown[]> = { [I in keyof P]: Arg<P[I]> };

export type Dispatcher = FunctionRef;

export function dispatchCall<K extends DispatchKind>(
  dispatcher: Dispatcher,
  kind: K,
  args: Args<Parameters<DispatchCalls[K]>>,
  options: CallOptions,
): Promise<Awaited<ReturnType<DispatchCalls[K]>>> {
  return callInto(dispatcher, [kind, ...args], options) as Promise<Awaited<ReturnType<DispatchCalls[K]>>>;
}
