// runtime/packages/: npm and JSR dependencies, import maps, the dependency cache
// and the esbuild resolver plugin. What the rest of the host uses, by name.

export { Dependencies, type BundleStep, type PackageFacts, type Progress } from "./dependencies.ts";
export { dependencyConfigFrom, type DependencyBounds, type DependencyConfig } from "./config.ts";
export { EMPTY_RESOLUTION, resolutionOf, rowsOf, type Resolution } from "./resolve/resolution.ts";
export { bundlePackage, type BundledPackage } from "./bundle_package.ts";
