// Small globals written by hand over the host bridge: structuredClone (V8's
// own serializer, on the host), performance, queueMicrotask.

import type { HostBridge } from "../core/bridge.ts";
import { DOMException } from "./dom_exception.ts";

export function createStructuredClone(bridge: HostBridge): (value: unknown, options?: unknown) => unknown {
  return function structuredClone(value: unknown, options?: unknown): unknown {
    if (arguments.length === 0) throw new TypeError("structuredClone requires 1 argument");
    const transfer = transferListOf(options);
    let copy: unknown;
    try {
      copy = bridge.clone(value);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // Too deep a value ends as in Deno: the serializer runs out of stack.
      if (/call stack/i.test(message)) throw new RangeError("Maximum call stack size exceeded");
      throw new DOMException(message, "DataCloneError");
    }
    // The copy holds the bytes; transferring detaches the originals, as in Deno. V8 before 11.4 (Node 20)
    // has no ArrayBuffer.prototype.transfer: there the originals stay (docs/decisions.md).
    for (const buffer of transfer) if (typeof (buffer as Transferable).transfer === "function") (buffer as Transferable).transfer();
    return copy;
  };
}

/** ES2024's ArrayBuffer members (V8 has them; this folder's lib is es2023). */
type Transferable = ArrayBuffer & { readonly detached: boolean; transfer(): ArrayBuffer };

/** The `transfer` option: ArrayBuffers only (no ports here), each once, none detached. */
function transferListOf(options: unknown): ArrayBuffer[] {
  if (options === undefined || options === null) return [];
  const list = (options as { transfer?: unknown }).transfer;
  if (list === undefined) return [];
  if (list === null || typeof list !== "object" || !(Symbol.iterator in list)) {
    throw new TypeError("Failed to execute 'structuredClone': transfer is not iterable");
  }
  const buffers = [...(list as Iterable<unknown>)];
  for (const [index, item] of buffers.entries()) {
    if (!(item instanceof ArrayBuffer)) throw new TypeError("Value not transferable");
    if ((item as Transferable).detached) throw new DOMException("An ArrayBuffer is detached and could not be cloned.", "DataCloneError");
    if (buffers.indexOf(item) !== index) throw new DOMException("ArrayBuffer at index 1 is a duplicate of an earlier ArrayBuffer", "DataCloneError");
  }
  return buffers as ArrayBuffer[];
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
