// The one function the host calls into: it loads the package's default export,
// runs its hooks and fires timers, and reports failures as plain data.

import type { CallOutcome, ContextData } from "./bridge.ts";
import type { Timers } from "./timers.ts";

type Entry = Record<string, unknown>;

/** Reads an error's name and message without trusting it: getters may throw. */
export function outcomeOf(error: unknown): { name: string; message: string } {
  try {
    if (error instanceof Error) return { name: String(error.name), message: String(error.message) };
    return { name: "Error", message: `Uncaught ${typeof error === "string" ? error : String(error)}` };
  } catch {
    return { name: "Error", message: "an error was thrown whose message cannot be read" };
  }
}

function createContext(data: ContextData): Record<string, unknown> {
  const unavailable = () => {
    throw new Error("ctx.registry is not available on this host yet");
  };
  return {
    package: Object.freeze({ ...data.package }),
    config: data.config,
    registry: Object.freeze({ provide: unavailable, use: unavailable }),
  };
}

export function createDispatcher(timers: Timers) {
  let entry: Entry = {};

  function load(namespace: { default?: unknown }): CallOutcome {
    const exported = namespace.default;
    if (exported === undefined) return null;
    if (exported === null || typeof exported !== "object") {
      return { name: "TypeError", message: "the default export must be an object such as { start, stop, fetch }" };
    }
    entry = exported as Entry;
    return null;
  }

  async function hook(name: string, data: ContextData): Promise<CallOutcome> {
    try {
      const fn = entry[name];
      if (fn === undefined) return null;
      if (typeof fn !== "function") return { name: "TypeError", message: `"${name}" of the default export is not a function` };
      await fn.call(entry, createContext(data));
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

  return function dispatch(kind: string, a?: unknown, b?: unknown): CallOutcome | Promise<CallOutcome> {
    if (kind === "load") return load(a as { default?: unknown });
    if (kind === "hook") return hook(a as string, b as ContextData);
    if (kind === "timer") return timer(a as number);
    return { name: "Error", message: `unknown dispatch "${kind}"` };
  };
}
