// The registry's messages between an isolate and the host: what `ctx.registry`
// asks for, and the answers. Plain data only; values are structured clones.

import type { HostResult } from "../core/bridge.ts";

/** An error as plain data; `code` is set on errors the registry itself raises (never on a provider's own). */
export interface RegistryErrorMessage {
  name: string;
  message: string;
  code?: RegistryErrorCode;
}

/** Why the registry refused or cut short a call; `error.code` inside the isolate. */
export type RegistryErrorCode =
  | "not_capable"
  | "resource_not_found"
  | "method_not_found"
  | "provider_not_running"
  | "provider_stopped"
  | "timeout"
  | "busy"
  | "too_large"
  | "depth_exceeded"
  | "data_clone";

/** The answer to one registry call: the provider's value, or the error the caller sees. */
export type RegistryOutcome = { ok: true; value: unknown } | { ok: false; error: RegistryErrorMessage };

/** What the host sends a provider for one call. `depth` counts the calls this one is nested in. */
export interface ServeMessage {
  resource: string;
  method: string;
  args: unknown[];
  depth: number;
  /** `"<package>/<resource>".method()`, for messages. */
  label: string;
  /** Served on the host's thread: the answer goes back by `registryReturnSync`, so that the host has it when the call returns. */
  inline?: boolean;
}

/** What `use` answers: the resource's method names. */
export interface UseAnswer {
  methods: string[];
}

/** The host functions behind `ctx.registry`, taken off the global object by the bootstrap. */
export interface RegistryBridge {
  /** `provide(name, methodNames)` or `use(pkg, name)`. */
  registrySync(op: "provide" | "use", args: unknown[]): HostResult;
  /**
   * Starts call `id`: its value is the outcome when the provider answered at
   * once (on the host's thread), else null and the outcome comes later as a
   * `registryResolve` dispatch. Throws when `args` cannot be cloned.
   */
  registryCall(id: number, pkg: string, name: string, method: string, args: unknown[], depth: number): HostResult;
  /** The provider's answer to the `registryServe` dispatch `id`. Throws when the value cannot be cloned. */
  registryReturn(id: number, outcome: RegistryOutcome): void;
  /** The same, taken by the host before it returns: for calls served on the host's thread (`ServeMessage.inline`). */
  registryReturnSync(id: number, outcome: RegistryOutcome): void;
}

/** Bounds a structured clone must stay within to cross the registry, checked on both sides. */
export const REGISTRY_LIMITS = {
  /** Estimated size of a call's arguments or of its result (strings count two bytes a character). */
  maxBytes: 4 * 1024 * 1024,
  /** Objects nested in objects: V8 serializes recursively, and the host must not run out of stack. */
  maxNesting: 1000,
  /** Calls nested in calls (A calls B, which calls A, ...), counted through a provider's synchronous part. */
  maxDepth: 64,
} as const;
