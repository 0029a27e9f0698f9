// The one function the host calls into: it loads the package's default export,
// runs its hooks, fires timers, serves requests and their body streams, and
// reports failures as plain data.

import type { CallOutcome, ContextData, HostResult, RequestHead } from "./bridge.ts";
import type { HostCalls } from "./host_calls.ts";
import { outcomeOf } from "./outcome.ts";
import type { RegistryClient } from "./registry.ts";
import type { RegistryOutcome, ServeMessage } from "./registry_wire.ts";
import type { Server } from "./serve.ts";
import type { Timers } from "./timers.ts";
import type { ModuleReady } from "./core/module_ready.ts";
import { BOTH_HANDLERS, type ServeRegistry } from "./deno/serve.ts";

type Entry = Record<string, unknown>;

function createContext(data: ContextData, registry: RegistryClient): Record<string, unknown> {
  return {
    package: Object.freeze({ ...data.package }),
    config: data.config,
    registry: registry.api,
  };
}

export interface ModuleState {
  ready: ModuleReady;
  serves: ServeRegistry;
}

export function createDispatcher(timers: Timers, server: Server, calls: HostCalls, registry: RegistryClient, module: ModuleState) {
  let entry: Entry = {};

  /** Reads the default export once the module (and every top-level await in its graph) has finished. */
  async function load(namespace: { default?: unknown }): Promise<CallOutcome> {
    await module.ready.promise;
    let exported: unknown;
    try {
      exported = namespace.default;
    } catch (error) {
      return outcomeOf(error);
    }
    if (exported === undefined) return null;
    if (exported === null || typeof exported !== "object") {
      return { name: "TypeError", message: "the default export must be an object such as { start, stop, fetch }" };
    }
    entry = exported as Entry;
    module.serves.hasDefaultFetch = typeof entry.fetch === "function";
    if (module.serves.hasDefaultFetch && module.serves.active) return { name: "TypeError", message: BOTH_HANDLERS };
    return null;
  }

  async function hook(name: string, data: ContextData): Promise<CallOutcome> {
    try {
      const fn = entry[name];
      if (fn === undefined) return null;
      if (typeof fn !== "function") return { name: "TypeError", message: `"${name}" of the default export is not a function` };
      await fn.call(entry, createContext(data, registry));
      return null;
    } catch (error) {
      return outcomeOf(error);
    }
  }

  function timer(id: number): CallOutcome {
    try {
      timers.fire(id);
      return null;
    } catch (error) {
      return outcomeOf(error);
    }
  }

  return function dispatch(kind: string, a?: unknown, b?: unknown): unknown {
    switch (kind) {
      case "load":
        return load(a as { default?: unknown });
      case "hook":
        return hook(a as string, b as ContextData);
      case "timer":
        return timer(a as number);
      case "request":
        return server.request(entry, a as number, b as RequestHead);
      case "finish":
        return server.finish(a as number, b === true);
      case "pull":
        return server.pull(a as number);
      case "resolve":
        return calls.resolve(a as number, b as HostResult);
      case "ping":
        return null;
      case "registryServe":
        return registry.serve(a as number, b as ServeMessage);
      case "registryResolve":
        return registry.resolve(a as number, b as RegistryOutcome);
      case "cancel":
        return server.cancel(a as number, String(b));
      default:
        return { name: "Error", message: `unknown dispatch "${kind}"` };
    }
  };
}
