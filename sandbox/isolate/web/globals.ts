// Small globals written by hand over the host bridge: structuredClone (V8's
// own serializer, on the host), performance, queueMicrotask.

import type { HostBridge } from "../core/bridge.ts";
import { DOMException } from "./dom_exception.ts";

export function createStructuredClone(bridge: HostBridge): (value: unknown, options?: unknown) => unknown {
  return function structuredClone(value: unknown): unknown {
    if (arguments.length === 0) throw new TypeError("structuredClone requires 1 argument");
    try {
      return bridge.clone(value);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new DOMException(message, "DataCloneError");
    }
  };
}

export function createPerformance(bridge: HostBridge): object {
  const timeOrigin = Date.now() - bridge.now();
  const performance = {
    timeOrigin,
    now: () => bridge.now(),
    toJSON: () => ({ timeOrigin }),
  };
  Object.defineProperty(performance, Symbol.toStringTag, { value: "Performance" });
  return Object.freeze(performance);
}

export function queueMicrotask(callback: () => void): void {
  if (typeof callback !== "function") throw new TypeError("The callback provided as parameter 1 is not a function.");
  void Promise.resolve().then(callback);
}
