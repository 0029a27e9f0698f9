// The last fleet operation this host carried out on each package and how it
// ended, so that a failed upgrade or add on any host shows in the fleet view.

import { IsopodError, messageOf } from "../errors.ts";
import type { PackageReport } from "./schema.ts";

export type Outcome = NonNullable<PackageReport["last"]>;

export function errorFieldOf(error: unknown): { code: string; message: string } {
  const code = error instanceof IsopodError ? error.code : "internal";
  return { code, message: messageOf(error).slice(0, 4000) };
}

export class Outcomes {
  readonly #last = new Map<string, Outcome>();

  /** Records how `operation` on `name` ended: `error` undefined means it succeeded. */
  record(name: string, operation: string, error?: unknown): void {
    this.#last.set(name, { operation, ok: error === undefined, error: error === undefined ? null : errorFieldOf(error), at: Date.now() });
  }

  get(name: string): Outcome | undefined {
    return this.#last.get(name);
  }

  forget(name: string): void {
    this.#last.delete(name);
  }

  names(): string[] {
    return [...this.#last.keys()];
  }
}
