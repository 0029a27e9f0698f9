// What an isolate was refused, remembered as Deno (unable to prompt) does:
// after a refused access, Deno.permissions.query answers `denied` for it.

import { isWithin } from "./path_guard.ts";

/** Targets remembered per permission; past it every target of that permission counts as refused (bounded memory). */
export const MAX_REFUSED_TARGETS = 256;

interface Refused {
  /** A refusal without a target (`Deno.env.toObject()`, `request({ name })`), or more targets than remembered. */
  whole: boolean;
  targets: Set<string>;
}

/**
 * Refusals of one isolate. Targets are as the guards see them: env names,
 * `host:port` for net, host paths for read and write. Found by experiment
 * with Deno 2.9: a refused path makes it and every folder above it `denied`
 * (not its siblings); a refused `host:port` only that; any refusal makes the
 * permission as a whole `denied`.
 */
export class Refusals {
  readonly #refused = new Map<string, Refused>();

  record(name: string, target: string | undefined): void {
    let refused = this.#refused.get(name);
    if (!refused) this.#refused.set(name, (refused = { whole: false, targets: new Set() }));
    if (target === undefined || refused.targets.size >= MAX_REFUSED_TARGETS) refused.whole = true;
    else refused.targets.add(target);
  }

  /** Whether a query for `target` (undefined: the permission as a whole) must answer `denied` after what was refused. */
  denies(name: string, target: string | undefined): boolean {
    const refused = this.#refused.get(name);
    if (!refused) return false;
    if (target === undefined) return true;
    if (refused.whole && refused.targets.size >= MAX_REFUSED_TARGETS) return true;
    if (name !== "read" && name !== "write") return refused.targets.has(target);
    for (const path of refused.targets) if (isWithin(target, path)) return true;
    return false;
  }
}
