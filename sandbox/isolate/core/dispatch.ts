// The one function the host calls into: it loads the package's default export,
// runs its hooks, fires timers, serves requests and their body streams, and
// reports failures as plain data.

import type { CallOutcome, ContextData, DispatchCalls, DispatchKind } from "./bridge.ts";
import type { HostCalls } from "./host_calls.ts";
import { outcomeOf } from "./outcome.ts";
import type { RegistryClient } from "../registry/registry.ts";
import type { RegistryOutcome, ServeMessage } from "../registry/registry_wire.ts";
import type { Server } from "./serve.ts";
import type { Timers } from "./timers.ts";
import type { ModuleReady } from "./module_ready.ts";
import { BOTH_HANDLERS, type ServeRegistry } from "../deno/serve.ts";

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

  const table: DispatchCalls = {
    load,
    hook,
    timer,
    request: (id, head) => server.request(entry, id, head),
    requestTake: (id) => server.take(id),
    requestBatch: (batch) => server.requestBatch(entry, batch),
    requestTakeBatch: (ids) => server.takeBatch(ids),
    requestWait: (id) => server.wait(id),
    finish: (id, aborted) => server.finish(id, aborted === true),
    pull: (streamId) => server.pull(streamId),
    pullSync: (streamId) => server.pullSync(streamId),
    pullWait: (streamId) => server.pullWait(streamId),
    cancel: (streamId, reason) => server.cancel(streamId, String(reason)),
    resolve: (id, result) => calls.resolve(id, result),
    ping: () => null,
    registryServe: (id, message) => registry.serve(id, message as ServeMessage),
    registryResolve: (id, outcome) => registry.resolve(id, outcome as RegistryOutcome),
  };

  // The host is trusted, but a name outside the table must not reach an inherited member.
  return function dispatch(kind: string, ...args: unknown[]): unknown {
    if (!Object.hasOwn(table, kind)) return { name: "Error", message: `unknown dispatch "${kind}"` };
    return (table[kind as DispatchKind] as (...args: unknown[]) => unknown)(...args);
  };
}
