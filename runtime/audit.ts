// Wraps every operation so that it lands in the audit log: who, what, with
// which parameters, how it ended and how long it took.

import type { Store } from "../db/index.ts";
import { IsopodError, messageOf } from "./errors.ts";

export interface Actor {
  /** The token's name, or `host` for the host's own actions (boot, restarts). */
  name: string;
}

export const HOST_ACTOR: Actor = { name: "host" };

export class Audit {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  async record<T>(
    actor: Actor,
    operation: string,
    pkg: string | null,
    params: Record<string, unknown>,
    fn: () => Promise<T>,
  ): Promise<T> {
    const started = performance.now();
    const at = Date.now();
    const entry = { at, actor: actor.name, operation, package: pkg, params };
    try {
      const result = await fn();
      this.#store.operations.record({ ...entry, result: "ok", error: null, durationMs: Math.round(performance.now() - started) });
      return result;
    } catch (error) {
      const code = error instanceof IsopodError ? error.code : "internal";
      this.#store.operations.record({
        ...entry,
        result: "error",
        error: { code, message: messageOf(error) },
        durationMs: Math.round(performance.now() - started),
      });
      throw error;
    }
  }
}
