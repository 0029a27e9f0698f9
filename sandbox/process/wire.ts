// The messages between the control plane and the sandbox process: plain data
// (strings, numbers, arrays, objects, Uint8Array) that MessagePack carries as is.

import type { HeaderList, RequestHead } from "../isolate/core/bridge.ts";
import type { FailureReason, SandboxEvent } from "../sandbox.ts";

/**
 * The Sandbox methods forwarded as they are: plain arguments in, plain result
 * out. Forwarding a new method takes its name here and a one-line method in
 * ProcessSandbox. `request` is not here: its bodies and signal need the streams.
 */
export const PLAIN_METHODS = ["load", "hook", "dispose", "stats", "resources", "route", "settled"] as const;
export type PlainMethod = (typeof PLAIN_METHODS)[number];

/** An error as it crosses: a SandboxFailure keeps its reason, anything else its name. */
export interface WireError {
  reason?: FailureReason;
  name?: string;
  message: string;
}

/** A request as it crosses: the body is a stream id (see wire_streams.ts), the signal a flag. */
export interface WireRequest {
  head: Omit<RequestHead, "bodyId">;
  body: number | null;
  signal: boolean;
}

/** A response as it crosses: no body, the bytes inline, or a stream id. */
export interface WireResponse {
  status: number;
  statusText: string;
  headers: HeaderList;
  body: null | Uint8Array | { stream: number };
}

export type Wire =
  /** Child: loaded and listening. */
  | { k: "ready"; pid: number; pkgUrl?: string }
  /** Parent: call a Sandbox method; `args` of `request` is `[instanceId, WireRequest]`. */
  | { k: "call"; id: number; method: string; args: unknown[] }
  | { k: "done"; id: number; value: unknown }
  | { k: "fail"; id: number; error: WireError }
  /** Parent: the client of request call `id` went away. */
  | { k: "abort"; id: number }
  | { k: "event"; event: SandboxEvent }
  /** Child: V8 reported a catastrophic error; the process ends itself next. */
  | { k: "fatal"; message: string }
  | { k: "ping" }
  | { k: "pong" }
  /** Parent: dispose everything and exit. */
  | { k: "close" }
  /** Bodies, either way: see wire_streams.ts. */
  | { k: "chunk"; sid: number; chunk: Uint8Array }
  | { k: "end"; sid: number; error?: WireError }
  | { k: "ack"; sid: number; chunks: number; bytes: number }
  | { k: "cancel"; sid: number; reason: string };
