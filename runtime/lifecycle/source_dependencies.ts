// Installs the dependencies a manifest declares with a `source` that are not
// installed yet, recursively and before the package itself; a cycle among sources is refused.

import type { PackageRecord, Store } from "../../db/index.ts";
import { IsopodError } from "../errors.ts";
import type { Manifest } from "../packages/manifest.ts";

/** Where an add stands in a chain of dependency installs. */
export interface AddContext {
  /** Names being installed, outermost first: the package that asked for this one is last. */
  chain: readonly string[];
  /** The name the fetched package must have (the key under which a dependency was declared). */
  expectedName?: string;
}

/** A dependency chain this long is a mistake, not a real package. */
export const MAX_DEPENDENCY_DEPTH = 16;

export type AddFromSource = (url: string, context: AddContext) => Promise<PackageRecord>;

/** Adds every missing dependency of `manifest` that has a `source`, one after another. */
export async function installSourcedDependencies(
  manifest: Manifest,
  store: Store,
  context: AddContext,
  add: AddFromSource,
): Promise<void> {
  const chain = [...context.chain, manifest.name];
  for (const [name, requirement] of Object.entries(manifest.dependencies)) {
    if (requirement.source === undefined || store.packages.get(name)) continue;
    if (chain.includes(name)) {
      const cycle = [...chain.slice(chain.indexOf(name)), name];
      throw new IsopodError("dependency_cycle", `cannot add "${manifest.name}": dependency cycle ${cycle.map((n) => `"${n}"`).join(" -> ")}`, {
        cycle,
      });
    }
    if (chain.length >= MAX_DEPENDENCY_DEPTH) {
      throw new IsopodError("invalid_package", `cannot add "${manifest.name}": dependencies are nested more than ${MAX_DEPENDENCY_DEPTH} deep`, {
        chain,
      });
    }
    try {
      await add(requirement.source, { chain, expectedName: name });
    } catch (error) {
      if (!(error instanceof IsopodError) || error.code === "dependency_cycle") throw error;
      throw new IsopodError(error.code, `cannot add "${manifest.name}": dependency "${name}" from ${requirement.source}: ${error.message}`, {
        ...error.details,
        dependency: name,
      });
    }
  }
}
