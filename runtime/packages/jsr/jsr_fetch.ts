// Downloads the module files of one JSR package version into the dependency
// cache, each verified against the sha256 its `_meta.json` lists, within the bounds.

import { createHash } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { invalidPackage, IsopodError, messageOf } from "../../errors.ts";
import type { PackageCache } from "../cache/package_cache.ts";
import { boundedBytes, registryGet } from "../registry_http.ts";
import type { Deadline } from "../resolve/deadline.ts";
import { inPool } from "../resolve/pool.ts";
import type { JsrRegistry, JsrVersionMeta } from "./jsr_meta.ts";

/** Files the bundle may load: modules and JSON. Docs, images and the rest are not fetched. */
const MODULE = /\.(?:ts|tsx|mts|cts|js|jsx|mjs|cjs|json|jsonc)$/;
const CONCURRENCY = 8;

export interface JsrFetchOptions {
  cache: PackageCache;
  deadline: Deadline;
  maxFileBytes: number;
  /** Bytes this package may still take within the graph's bound (ISOPOD_DEPS_MAX_BYTES). */
  budget: number;
  maxBytes: number;
}

/** The cache entry holding `name@version`, downloaded and verified if it is not there yet. */
export async function fetchJsrFiles(registry: JsrRegistry, name: string, version: string, meta: JsrVersionMeta, options: JsrFetchOptions): Promise<{ entry: string; bytes: number }> {
  const label = `jsr:${name}@${version}`;
  const entry = options.cache.entryOf("jsr", meta.integrity);
  const cached = await options.cache.meta(entry);
  if (cached) return { entry, bytes: cached.bytes };
  const files = [...meta.manifest].filter(([file]) => MODULE.test(file));
  for (const [file, { size }] of files) {
    if (size > options.maxFileBytes) throw invalidPackage(`${label}: file "${file}" is ${size} bytes, more than ${options.maxFileBytes} (ISOPOD_DEPS_MAX_FILE_BYTES)`, { package: label });
  }
  const bytes = files.reduce((sum, [, { size }]) => sum + size, 0);
  if (bytes > options.budget) {
    throw invalidPackage(`${label}: its files are ${bytes} bytes, past the ${options.maxBytes} the dependencies may take (ISOPOD_DEPS_MAX_BYTES)`, { package: label, bound: "maxBytes" });
  }
  const staging = await options.cache.staging();
  try {
    const dir = path.join(staging, "package");
    await inPool(files, CONCURRENCY, async ([file, { size, sha256 }]) => {
      const target = path.join(dir, ...file.split("/").slice(1));
      if (!target.startsWith(`${dir}${path.sep}`)) throw invalidPackage(`${label}: file "${file}" leads outside the package`, { package: label });
      const response = await registryGet(`${registry.url}${name}/${version}${file}`, { registry: registry.label, deadline: options.deadline, accept: "*/*" });
      if (!response) throw invalidPackage(`${label}: the ${registry.label} has no file "${file}"`, { package: label });
      const body = await boundedBytes(response, size, `${label}'s file "${file}"`, options.deadline).catch((error: unknown) => {
        if (error instanceof IsopodError && error.code === "invalid_package") throw invalidPackage(`${label}: file "${file}" does not match its checksum sha256-${sha256} (it is longer than its ${size} bytes)`, { package: label, file });
        throw error;
      });
      if (createHash("sha256").update(body).digest("hex") !== sha256) {
        throw invalidPackage(`${label}: file "${file}" does not match its checksum sha256-${sha256}`, { package: label, file });
      }
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, body);
    });
    await options.cache.commit(staging, entry, { name, version, integrity: meta.integrity, bytes, exports: meta.exports });
    return { entry, bytes };
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    options.deadline.check();
    if (error instanceof IsopodError) throw error;
    throw new IsopodError("source_unreachable", `${label}: cannot download its files: ${messageOf(error)}`);
  }
}
