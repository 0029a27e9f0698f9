// The `jsr:` and `npm:` imports of a JSR package: esbuild walks its exported
// modules (relative imports inside it, bare ones through its deno.json `imports`) and collects the rest.

import { build } from "esbuild";
import { existsSync } from "node:fs";
import path from "node:path";
import { invalidPackage } from "../../errors.ts";
import { mapSpecifier, readImportMap, type ImportMap } from "../import_map/import_map.ts";

function isInside(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

/** The package's own import map (its deno.json or deno.jsonc `imports`), empty when it ships none. */
export async function jsrImportMap(dir: string): Promise<ImportMap> {
  const file = ["deno.json", "deno.jsonc"].find((name) => existsSync(path.join(dir, name)));
  return file ? readImportMap(dir, file) : { base: dir, imports: {}, scopes: [] };
}

/** Every `npm:`/`jsr:` specifier the package's exported modules import, after its import map. */
export async function jsrImports(dir: string, exports: Record<string, string>, label: string): Promise<string[]> {
  const entryPoints = [...new Set(Object.values(exports))].map((target) => path.resolve(dir, target));
  for (const entry of entryPoints) {
    if (!isInside(dir, entry) || !existsSync(entry)) throw invalidPackage(`${label}: its exports name "${path.relative(dir, entry)}", which it does not have`, { package: label });
  }
  const importMap = await jsrImportMap(dir);
  const found = new Set<string>();
  await build({
    entryPoints,
    absWorkingDir: dir,
    bundle: true,
    write: false,
    outdir: "out",
    format: "esm",
    platform: "neutral",
    logLevel: "silent",
    plugins: [
      {
        name: "isopod-jsr-imports",
        setup(setup) {
          setup.onResolve({ filter: /.*/ }, (args) => {
            if (args.kind === "entry-point") return undefined;
            if (args.path.startsWith("./") || args.path.startsWith("../")) {
              const target = path.resolve(path.dirname(args.importer), args.path);
              return isInside(dir, target) && existsSync(target) ? { path: target } : { path: args.path, external: true };
            }
            const mapped = mapSpecifier(importMap, args.path, args.importer) ?? args.path;
            if (/^(npm|jsr):/.test(mapped)) found.add(mapped);
            return { path: args.path, external: true };
          });
        },
      },
    ],
  }).catch((error: { errors?: { text: string }[] }) => {
    throw invalidPackage(`${label}: cannot read its modules: ${error.errors?.[0]?.text ?? String(error)}`, { package: label });
  });
  return [...found].sort();
}
