// Bundles a package with its dependencies: resolves them first (add, reload,
// upgrade), or bundles against the frozen resolution it was installed with (start without a cached bundle).

import { reportProgress } from "../progress.ts";
import type { Bundler } from "./bundler.ts";
import type { PackageFacts, Progress } from "./dependencies.ts";
import { EMPTY_RESOLUTION, type Resolution } from "./resolve/resolution.ts";

export interface BundledPackage {
  code: string;
  resolution: Resolution;
}

/**
 * With `frozen`, nothing is fetched; without it, the imports are resolved over the network.
 * The resolution's counts go to `onProgress`, by default to the operation's progress (runtime/progress.ts).
 */
export async function bundlePackage(bundler: Bundler, facts: PackageFacts & { entry: string }, frozen?: Resolution, onProgress?: Progress): Promise<BundledPackage> {
  const dependencies = bundler.dependencies;
  const step = (plugins: Parameters<Bundler["bundle"]>[3]) => bundler.bundle(facts.root, facts.entry, facts.name, plugins);
  const bundling = () => reportProgress({ step: "bundling", package: facts.name });
  if (!dependencies) {
    bundling();
    return { code: await step([]), resolution: EMPTY_RESOLUTION };
  }
  const progress: Progress = onProgress ?? ((counts) => reportProgress({ step: "dependencies", package: facts.name, ...counts }));
  const resolution = frozen ?? (await dependencies.resolve(facts, step, progress));
  bundling();
  return { code: await step(await dependencies.plugins(facts, resolution)), resolution };
}
