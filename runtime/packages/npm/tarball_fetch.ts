// Downloads one npm tarball from the registry's own origin, verifies its
// integrity (ssri) while it is unpacked under the archive rules, and checks every file.

import { readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import ssri from "ssri";
import type { ArchiveBounds } from "../../config.ts";
import { invalidPackage, IsopodError, messageOf } from "../../errors.ts";
import { extractTarball } from "../../sources/tarball.ts";
import type { PackageCache } from "../cache/package_cache.ts";
import { registryGet } from "../registry_http.ts";
import type { Deadline } from "../resolve/deadline.ts";
import type { NpmRegistry } from "./packument.ts";
import type { PickedVersion } from "./pick.ts";

export interface FetchOptions {
  cache: PackageCache;
  deadline: Deadline;
  archive: ArchiveBounds;
  maxFileBytes: number;
  /** Bytes this package may still unpack to within the graph's bound. */
  budget: number;
}

/** Refuses a file over the bound and a native addon; returns the bytes of the folder. */
async function checkFiles(root: string, label: string, maxFileBytes: number): Promise<number> {
  let total = 0;
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    const relative = path.relative(root, path.join(entry.parentPath, entry.name));
    if (entry.name.endsWith(".node") || entry.name === "binding.gyp") {
      throw invalidPackage(`${label} is a native addon ("${relative}"); isolates cannot load native code`, { package: label });
    }
    if (!entry.isFile()) continue;
    const { size } = await stat(path.join(root, relative));
    if (size > maxFileBytes) throw invalidPackage(`${label}: file "${relative}" is ${size} bytes, more than ${maxFileBytes} (ISOPOD_DEPS_MAX_FILE_BYTES)`, { package: label });
    total += size;
  }
  return total;
}

/** The cache entry holding `picked`, downloaded and verified if it is not there yet. */
export async function fetchTarball(registry: NpmRegistry, picked: PickedVersion, options: FetchOptions): Promise<{ entry: string; bytes: number }> {
  const label = `npm:${picked.name}@${picked.version}`;
  const entry = options.cache.entryOf("npm", picked.integrity);
  const cached = await options.cache.meta(entry);
  if (cached) return { entry, bytes: cached.bytes };
  if (new URL(picked.tarball, registry.url).origin !== new URL(registry.url).origin) {
    throw invalidPackage(`${label}: its tarball ${picked.tarball} is not on the ${registry.label}; refused`, { package: label });
  }
  const response = await registryGet(new URL(picked.tarball, registry.url).href, { registry: registry.label, deadline: options.deadline, token: registry.token, accept: "*/*" });
  if (!response) throw invalidPackage(`${label}: the ${registry.label} has no tarball at ${picked.tarball}`);
  const staging = await options.cache.staging();
  try {
    const verified = ssri.integrityStream({ integrity: picked.integrity, single: true });
    const body = Readable.fromWeb(response.body! as never);
    body.on("error", (error) => verified.destroy(error));
    const bounds = { ...options.archive, maxPackageBytes: Math.min(options.archive.maxPackageBytes, options.budget) };
    await extractTarball(body.pipe(verified), { folder: "", dest: path.join(staging, "package"), bounds });
    const bytes = await checkFiles(path.join(staging, "package"), label, options.maxFileBytes);
    await options.cache.commit(staging, entry, { name: picked.name, version: picked.version, integrity: picked.integrity, bytes });
    return { entry, bytes };
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    options.deadline.check();
    if ((error as { code?: unknown }).code === "EINTEGRITY") {
      throw invalidPackage(`${label}: the tarball does not match its integrity ${picked.integrity}`, { package: label });
    }
    if (error instanceof IsopodError) throw new IsopodError(error.code, `${label}: ${error.message}`, { ...error.details, package: label });
    throw new IsopodError("source_unreachable", `${label}: cannot download ${picked.tarball}: ${messageOf(error)}`);
  }
}
