// Wraps every operation so that it lands in the audit log: who, what, with
// which parameters, how it ended and how long it took.

import type { Store } from "../../db/index.ts";
import type { BatchReport } from "./batch.ts";
import { IsopodError, messageOf } from "../errors.ts";

export interface Actor {
  /** The token's name, or `host` for the host's own actions (boot, restarts). */
  name: string;
  /** The door the request came through when it is not the HTTP API (`resp`, `pipe`); recorded in `params.door`. */
  door?: string;
}

/** The parameters as recorded: the actor's door, when it has one, goes with them. */
function paramsOf(actor: Actor, params: Record<string, unknown>): Record<string, unknown> {
  return actor.door === undefined ? params : { ...params, door: actor.door };
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
    const entry = { at, actor: actor.name, operation, package: pkg, params: paramsOf(actor, params) };
    try {
      const result = await fn();
      this.#store.operations.record({ ...entry, result: "ok", error: null, durationMs: Math.round(performance.now() - started) });
      return result;
    } catch (error) {
      this.#store.operations.record({
        ...entry,
        result: "error",
        error: errorEntryOf(error),
        durationMs: Math.round(performance.now() - started),
      });
      throw error;
    }
  }

  /** One entry per package a batch acted on, in the order it carried them out. */
  recordBatch(actor: Actor, report: BatchReport, params: Record<string, unknown>): void {
    this.#store.transaction(() => this.#writeBatch(actor, report, params));
  }

  #writeBatch(actor: Actor, report: BatchReport, params: Record<string, unknown>): void {
    for (const result of report.results) {
      this.#store.operations.record({
        at: result.at,
        actor: actor.name,
        operation: report.operation,
        package: result.name,
        params: paramsOf(actor, result.requested ? params : { ...params, requested: false }),
        result: result.ok ? "ok" : "error",
        error: result.ok ? null : errorEntryOf(result.error),
        durationMs: Math.round(result.durationMs),
      });
    }
  }
}

function errorEntryOf(error: unknown): { code: string; message: string } {
  return { code: error instanceof IsopodError ? error.code : "internal", message: messageOf(error) };
}
