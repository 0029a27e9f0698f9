// `crypto`, written by hand over the host: random bytes come from the host's
// CSPRNG, digests are computed by the host (Node's crypto), copies both ways.

import type { HostBridge } from "../core/bridge.ts";
import { DOMException } from "./dom_exception.ts";
import { unwrap } from "../core/host_errors.ts";

const DIGESTS = new Set(["SHA-1", "SHA-256", "SHA-384", "SHA-512"]);
const MAX_RANDOM = 65536;

function integerArray(value: unknown): value is Exclude<ArrayBufferView, DataView | Float32Array | Float64Array> {
  return (
    ArrayBuffer.isView(value) &&
    !(value instanceof DataView) &&
    !(value instanceof Float32Array) &&
    !(value instanceof Float64Array)
  );
}

function bytesOf(data: unknown): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data.slice(0));
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer);
  throw new TypeError("Failed to execute 'digest' on 'SubtleCrypto': data is not a BufferSource");
}

export function createCrypto(bridge: HostBridge): object {
  function getRandomValues<T>(array: T): T {
    if (!ArrayBuffer.isView(array)) throw new TypeError("Argument 1 is not an ArrayBufferView");
    if (!integerArray(array)) throw new DOMException("The provided ArrayBufferView is not an integer array type", "TypeMismatchError");
    if (array.byteLength > MAX_RANDOM) {
      throw new DOMException(`The ArrayBufferView's byte length (${array.byteLength}) exceeds 65536`, "QuotaExceededError");
    }
    new Uint8Array(array.buffer, array.byteOffset, array.byteLength).set(bridge.random(array.byteLength));
    return array;
  }

  function randomUUID(): string {
    const bytes = bridge.random(16);
    bytes[6] = (bytes[6]! & 0x0f) | 0x40;
    bytes[8] = (bytes[8]! & 0x3f) | 0x80;
    const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  const subtle = {
    async digest(algorithm: unknown, data: unknown): Promise<ArrayBuffer> {
      const name = String(typeof algorithm === "object" && algorithm !== null ? (algorithm as { name?: unknown }).name : algorithm).toUpperCase();
      if (!DIGESTS.has(name)) throw new DOMException(`Unrecognized algorithm name "${String(name)}"`, "NotSupportedError");
      const digest = unwrap(await bridge.call("digest", [name, bytesOf(data)])) as Uint8Array;
      return digest.buffer.slice(digest.byteOffset, digest.byteOffset + digest.byteLength) as ArrayBuffer;
    },
  };
  Object.defineProperty(subtle, Symbol.toStringTag, { value: "SubtleCrypto" });
  const crypto = { getRandomValues, randomUUID, subtle };
  Object.defineProperty(crypto, Symbol.toStringTag, { value: "Crypto" });
  return Object.freeze(crypto);
}
