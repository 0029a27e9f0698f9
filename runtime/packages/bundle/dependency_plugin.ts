// The esbuild plugin that resolves a package's `npm:`, `jsr:` and import-mapped
// specifiers to files in the dependency cache, offline; without a resolution it collects them instead.

import { builtinModules } from "node:module";
import { realpathSync } from "node:fs";
import path from "node:path";
import type { OnResolveArgs, OnResolveResult, Plugin } from "esbuild";
import { mapSpecifier, type ImportMap } from "../import_map/import_map.ts";
import { jsrImportMap } from "../jsr/jsr_imports.ts";
import { chainTo, type Resolution } from "../resolve/resolution.ts";
import { parseSpecifier, rootKey } from "../specifier.ts";
import { jsrFile } from "./jsr_exports.ts";
import { IMPORT_CONDITIONS, packageFile, probeFile, REQUIRE_CONDITIONS } from "./package_exports.ts";

export interface DependencyPluginOptions {
  root: string;
  rootName: string;
  importMap: ImportMap;
  /** The data folder's `cache/`. */
  cacheRoot: string;
  /** The frozen resolution; undefined to collect the `npm:`/`jsr:` imports instead (they stay external). */
  resolution: Resolution | undefined;
  collected?: Set<string>;
}

const BUILTINS = new Set(builtinModules);
const isBuiltin = (spec: string) => spec.startsWith("node:") || BUILTINS.has(spec.split("/")[0]!) && !spec.includes("@");

function isInside(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

const refuse = (text: string): OnResolveResult => ({ errors: [{ text }] });

/** `name` and `./subpath` of a bare specifier (`@scope/name/sub`, `name/sub`). */
function splitBare(spec: string): { name: string; subpath: string } {
  const parts = spec.split("/");
  const count = spec.startsWith("@") ? 2 : 1;
  const rest = parts.slice(count).join("/");
  return { name: parts.slice(0, count).join("/"), subpath: rest === "" ? "." : `./${rest}` };
}

export function dependencyPlugin(options: DependencyPluginOptions): Plugin {
  const realRoot = realpathSync(options.root);
  const resolution = options.resolution;
  const dirs = new Map<string, string>();
  if (resolution) {
    for (const [key, resolved] of Object.entries(resolution.packages)) dirs.set(path.join(options.cacheRoot, resolved.entry, "package"), key);
  }
  const owner = (file: string): [string, string] | undefined => {
    for (const [dir, key] of dirs) if (isInside(dir, file)) return [dir, key];
    return undefined;
  };
  const chain = (key: string | undefined) => (key === undefined ? options.rootName : chainTo(resolution!, options.rootName, key));

  const inJsr = (key: string, subpath: string, via: string): OnResolveResult => {
    const resolved = resolution?.packages[key];
    if (!resolved) return refuse(`${via}: ${key} is not in the resolution; reload the package`);
    const { file, problem } = jsrFile(path.join(options.cacheRoot, resolved.entry), subpath);
    return file ? { path: file } : refuse(`${via} -> ${key}: ${problem}`);
  };

  const inPackage = (key: string, subpath: string, kind: OnResolveArgs["kind"], via: string): OnResolveResult => {
    if (key.startsWith("jsr:")) return inJsr(key, subpath, via);
    const resolved = resolution?.packages[key];
    if (!resolved) return refuse(`${via}: npm:${key} is not in the resolution; reload the package`);
    const dir = path.join(options.cacheRoot, resolved.entry, "package");
    const { file, problem } = packageFile(dir, subpath, kind === "require-call" ? REQUIRE_CONDITIONS : IMPORT_CONDITIONS);
    if (!file) return refuse(`${via} -> npm:${key}: ${problem}`);
    if (!isInside(dir, realpathSync(file))) return refuse(`${via} -> npm:${key}: "${subpath}" leads outside the package`);
    return { path: file };
  };

  const jsrMaps = new Map<string, Promise<ImportMap>>();
  /** An import in a JSR package's module: relative, `jsr:`/`npm:` (after its own import map), keyed by specifier. */
  const fromJsr = async (args: OnResolveArgs, dir: string, key: string): Promise<OnResolveResult> => {
    if (!jsrMaps.has(dir)) jsrMaps.set(dir, jsrImportMap(dir));
    const mapped = mapSpecifier(await jsrMaps.get(dir)!, args.path, args.importer) ?? args.path;
    if (path.isAbsolute(mapped)) return isInside(dir, mapped) ? { path: mapped } : refuse(`${chain(key)}: "${args.path}" is mapped outside the package`);
    if (isBuiltin(mapped)) return refuse(`${chain(key)} -> ${mapped.startsWith("node:") ? mapped : `node:${mapped}`}: Node built-ins are not available in an isolate`);
    const spec = parseSpecifier(mapped);
    if (!spec) return refuse(`${chain(key)} imports "${args.path}", which is neither relative nor a jsr:/npm: specifier`);
    const target = resolution!.packages[key]!.dependencies[rootKey(spec)];
    if (target === undefined) return refuse(`${chain(key)} imports "${mapped}", which was not resolved; reload the package`);
    return inPackage(target, spec.subpath, args.kind, chain(key));
  };

  const fromDependency = (args: OnResolveArgs, dir: string, key: string): OnResolveResult | Promise<OnResolveResult> => {
    const spec = args.path;
    if (isBuiltin(spec)) return refuse(`${chain(key)} -> ${spec.startsWith("node:") ? spec : `node:${spec}`}: Node built-ins are not available in an isolate`);
    if (spec.startsWith("./") || spec.startsWith("../") || spec === "." || spec === "..") {
      const file = probeFile(path.resolve(path.dirname(args.importer), spec));
      if (!file) return refuse(`${chain(key)}: "${spec}" in ${path.relative(dir, args.importer)} does not exist`);
      if (!isInside(dir, realpathSync(file))) return refuse(`${chain(key)}: "${spec}" leads outside the package`);
      return { path: file };
    }
    if (key.startsWith("jsr:")) return fromJsr(args, dir, key);
    const npm = parseSpecifier(spec);
    const { name, subpath } = npm ? { name: npm.name, subpath: npm.subpath } : splitBare(spec);
    const target = resolution!.packages[key]!.dependencies[name];
    if (target === undefined) return refuse(`${chain(key)} imports "${spec}", which is not among its dependencies`);
    return inPackage(target, subpath, args.kind, chain(key));
  };

  const fromPackage = (args: OnResolveArgs): OnResolveResult | undefined => {
    const spec = args.path;
    if (spec.startsWith("./") || spec.startsWith("../") || spec.startsWith("data:")) return undefined;
    const mapped = mapSpecifier(options.importMap, spec, args.importer) ?? spec;
    const from = path.relative(options.root, args.importer);
    if (path.isAbsolute(mapped)) {
      const file = probeFile(mapped);
      if (!file || !isInside(realRoot, realpathSync(file))) return refuse(`import "${spec}" in ${from} is mapped to "${path.relative(options.root, mapped)}", outside the package or missing`);
      return { path: realpathSync(file) };
    }
    if (isBuiltin(mapped)) return refuse(`import "${spec}" in ${from}: ${options.rootName} -> ${mapped.startsWith("node:") ? mapped : `node:${mapped}`}: Node built-ins are not available in an isolate`);
    if (/^https?:/.test(mapped)) return refuse(`import "${mapped}" in ${from}: https: imports are not supported; use an npm: or jsr: specifier`);
    const parsed = parseSpecifier(mapped);
    if (!parsed) return refuse(`import "${spec}" in ${from}: not a relative path, and no entry in deno.json "imports" maps it`);
    if (!resolution) {
      options.collected?.add(mapped);
      return { path: mapped, external: true };
    }
    const key = resolution.roots[rootKey(parsed)];
    if (key === undefined) return refuse(`import "${mapped}" in ${from} was not resolved when the package was added; reload it`);
    return inPackage(key, parsed.subpath, args.kind, options.rootName);
  };

  return {
    name: "isopod-dependencies",
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === "entry-point") return undefined;
        const owned = owner(args.importer);
        return owned ? fromDependency(args, owned[0], owned[1]) : fromPackage(args);
      });
    },
  };
}
