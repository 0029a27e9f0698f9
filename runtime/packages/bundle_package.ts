// Bundles a package with its dependencies: resolves them first (add, reload,
// upgrade), or bundles against the frozen resolution it was installed with (start without a cached bundle).

import type { Bundler } from "./bundler.ts";
import type { PackageFacts, Progress } from "./dependencies.ts";
import { EMPTY_RESOLUTION, type Resolution } from "./resolve/resolution.ts";

export interface BundledPackage {
  code: string;
  resolution: Resolution;
}

/** With `frozen`, nothing is fetched; without it, the imports are resolved over the network. */
export async function bundlePackage(bundler: Bundler, facts: PackageFacts & { entry: string }, frozen?: Resolution, onProgress?: Progress): Promise<BundledPackage> {
  const dependencies = bundler.dependencies;
  const step = (plugins: Parameters<Bundler["bundle"]>[3]) => bundler.bundle(facts.root, facts.entry, facts.name, plugins);
  if (!dependencies) return { code: await step([]), resolution: EMPTY_RESOLUTION };
  const resolution = frozen ?? (await dependencies.resolve(facts, step, onProgress));
  return { code: await step(await dependencies.plugins(facts, resolution)), resolution };
}
