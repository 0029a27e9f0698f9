// Deno's import-map rules for a package: `imports` and `scopes` from deno.json
// (or the `importMap` file it names), a bare key covering its subpaths, values relative to the map.

import { readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parse as parseJsonc } from "jsonc-parser";
import { invalidPackage } from "../../errors.ts";

type Mapping = Record<string, string>;

export interface ImportMap {
  /** The folder relative values are resolved against. */
  base: string;
  imports: Mapping;
  /** Scope prefix (an absolute file URL) to its mappings, longest first. */
  scopes: [string, Mapping][];
}

const mappingOf = (value: unknown, file: string, field: string): Mapping => {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalidPackage(`"${field}" in ${file} is not an object`);
  for (const [key, target] of Object.entries(value)) {
    if (typeof target !== "string") throw invalidPackage(`"${field}" in ${file}: "${key}" does not map to a string`);
  }
  return value as Mapping;
};

async function readJson(file: string): Promise<Record<string, unknown> | undefined> {
  const text = await readFile(file, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  const value = parseJsonc(text) as unknown;
  if (typeof value !== "object" || value === null) throw invalidPackage(`${path.basename(file)} is not a JSON object`);
  return value as Record<string, unknown>;
}

function isInside(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

/** Reads the package's import map; a package without one gets an empty map. */
export async function readImportMap(root: string, manifestFile: string): Promise<ImportMap> {
  const config = (await readJson(path.join(root, manifestFile))) ?? {};
  let file = manifestFile;
  let source = config;
  if (config.imports === undefined && config.scopes === undefined && typeof config.importMap === "string") {
    const mapFile = path.resolve(root, config.importMap);
    if (!isInside(root, mapFile)) throw invalidPackage(`"importMap" in ${manifestFile} points outside the package`);
    file = path.relative(root, mapFile);
    source = (await readJson(mapFile)) ?? {};
  }
  const base = path.dirname(path.join(root, file));
  const scopes = Object.entries(mappingOf(source.scopes, file, "scopes") as Record<string, unknown>).map(
    ([scope, mapping]): [string, Mapping] => [new URL(scope, pathToFileURL(`${base}/`)).href, mappingOf(mapping, file, `scopes.${scope}`)],
  );
  scopes.sort((a, b) => b[0].length - a[0].length);
  return { base, imports: mappingOf(source.imports, file, "imports"), scopes };
}

/** Applies one mapping: an exact key, the longest `prefix/` key, or a bare key covering its subpaths. */
function applyMapping(mapping: Mapping, specifier: string): string | undefined {
  if (mapping[specifier] !== undefined) return mapping[specifier];
  let best: [string, string] | undefined;
  for (const [key, value] of Object.entries(mapping)) {
    const covers = key.endsWith("/") ? specifier.startsWith(key) : /^(npm|jsr):/.test(value) && specifier.startsWith(`${key}/`);
    if (covers && (best === undefined || key.length > best[0].length)) best = [key, value];
  }
  if (!best) return undefined;
  const [key, value] = best;
  const rest = specifier.slice(key.length);
  return key.endsWith("/") ? value + rest : `${value}${rest}`;
}

/**
 * What `specifier`, imported from `importer` (an absolute path), maps to: an `npm:`/`jsr:`/`node:`/URL
 * specifier, or an absolute path for a relative value; undefined when the map does not cover it.
 */
export function mapSpecifier(map: ImportMap, specifier: string, importer: string): string | undefined {
  const referrer = pathToFileURL(importer).href;
  let mapped: string | undefined;
  for (const [scope, mapping] of map.scopes) {
    if (referrer.startsWith(scope)) mapped ??= applyMapping(mapping, specifier);
  }
  mapped ??= applyMapping(map.imports, specifier);
  if (mapped === undefined) return undefined;
  if (mapped.startsWith("./") || mapped.startsWith("../") || mapped.startsWith("/")) return path.resolve(map.base, mapped);
  return mapped;
}
