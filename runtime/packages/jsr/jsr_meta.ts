// JSR's own metadata: `<registry>/@scope/name/meta.json` (versions, yanked) and
// `<version>_meta.json` (a sha256 per file, exports), validated as hostile input.

import { createHash } from "node:crypto";
import semver from "semver";
import { invalidPackage } from "../../errors.ts";
import { boundedBytes, boundedJson, registryGet } from "../registry_http.ts";
import type { Deadline } from "../resolve/deadline.ts";

export interface JsrRegistry {
  url: string;
  /** For messages: `JSR registry https://jsr.io/`. */
  label: string;
}

export interface JsrVersionMeta {
  /** `sha256-<hex>` of the `_meta.json` bytes (deno.lock records the hex). */
  integrity: string;
  /** File path (`/mod.ts`) to its size and sha256 hex. */
  manifest: Map<string, { size: number; sha256: string }>;
  /** Subpath (`.`, `./posix`) to a file (`./mod.ts`). */
  exports: Record<string, string>;
}

const NAME = /^@[a-z0-9][a-z0-9-]{0,99}\/[a-z0-9][a-z0-9-]{0,99}$/;

/** Refuses a JSR name that could not be a path segment pair on the registry. */
export function checkJsrName(name: string, via: string): void {
  if (!NAME.test(name)) throw invalidPackage(`${via}: "${name}" is not a JSR package name (@scope/name, lowercase letters, digits and -)`);
}

/** The versions of a package that may be picked: valid semver only; yanked ones apart. */
export async function fetchJsrVersions(registry: JsrRegistry, name: string, options: { deadline: Deadline; maxBytes: number; via: string }): Promise<{ live: string[]; yanked: string[] }> {
  const response = await registryGet(`${registry.url}${name}/meta.json`, { registry: registry.label, deadline: options.deadline });
  if (!response) throw invalidPackage(`${options.via}: package "jsr:${name}" is not in the ${registry.label}`, { package: name, registry: registry.url });
  const document = (await boundedJson(response, options.maxBytes, `the ${registry.label}'s meta.json for "${name}"`, options.deadline)) as { versions?: unknown };
  if (typeof document !== "object" || document === null || typeof document.versions !== "object" || document.versions === null) {
    throw invalidPackage(`${options.via}: the ${registry.label}'s meta.json for "${name}" has no versions`);
  }
  const live: string[] = [];
  const yanked: string[] = [];
  for (const [version, info] of Object.entries(document.versions as Record<string, unknown>)) {
    if (semver.valid(version) !== version) continue;
    ((info as { yanked?: unknown } | null)?.yanked === true ? yanked : live).push(version);
  }
  return { live, yanked };
}

/** The highest version in `range` (a yanked one only when a lockfile pins it); none is a 422 naming specifier and registry. */
export function pickJsrVersion(versions: { live: string[]; yanked: string[] }, name: string, range: string, context: { registry: string; via: string; pinned?: string | undefined }): string {
  if (context.pinned !== undefined) {
    if (versions.live.includes(context.pinned) || versions.yanked.includes(context.pinned)) return context.pinned;
    throw invalidPackage(`${context.via}: deno.lock pins jsr:${name}@${context.pinned}, which is not in the ${context.registry}`, { package: name });
  }
  const picked = semver.maxSatisfying(versions.live, range === "*" ? "*" : range);
  if (picked === null) throw invalidPackage(`${context.via}: no version of "jsr:${name}" matches "${range}" in the ${context.registry}`, { package: name, range });
  return picked;
}

/** A manifest path must be `/a/b.ts`: no `..`, `.`, empty segments, backslashes or control characters. */
function checkPath(file: string, label: string, maxPathBytes: number): void {
  const segments = file.split("/").slice(1);
  const bad =
    !file.startsWith("/") ||
    Buffer.byteLength(file) > maxPathBytes ||
    /[\\\0-\x1f]/.test(file) ||
    segments.some((segment) => segment === "" || segment === "." || segment === "..");
  if (bad) throw invalidPackage(`${label}: _meta.json lists the file ${JSON.stringify(file.slice(0, 200))}, which is not a path inside the package`, { package: label });
}

function exportsOf(value: unknown, label: string): Record<string, string> {
  if (typeof value === "string") value = { ".": value };
  if (typeof value !== "object" || value === null) throw invalidPackage(`${label}: _meta.json has no exports`);
  for (const [key, target] of Object.entries(value)) {
    const ok = (key === "." || key.startsWith("./")) && typeof target === "string" && target.startsWith("./") && !target.split("/").includes("..");
    if (!ok) throw invalidPackage(`${label}: _meta.json exports "${key}" to ${JSON.stringify(target)}, not a path inside the package`, { package: label });
  }
  return value as Record<string, string>;
}

/** Fetches and checks `<version>_meta.json`: paths, sizes, checksums, exports, file count. */
export async function fetchJsrVersionMeta(
  registry: JsrRegistry,
  name: string,
  version: string,
  options: { deadline: Deadline; maxBytes: number; maxFiles: number; maxPathBytes: number },
): Promise<JsrVersionMeta> {
  const label = `jsr:${name}@${version}`;
  const response = await registryGet(`${registry.url}${name}/${version}_meta.json`, { registry: registry.label, deadline: options.deadline });
  if (!response) throw invalidPackage(`${label}: the ${registry.label} has no ${version}_meta.json`, { package: label });
  const bytes = await boundedBytes(response, options.maxBytes, `${label}'s _meta.json`, options.deadline);
  let document: { manifest?: unknown; exports?: unknown };
  try {
    document = JSON.parse(bytes.toString("utf8")) as typeof document;
  } catch {
    throw invalidPackage(`${label}: _meta.json is not valid JSON`, { package: label });
  }
  if (typeof document?.manifest !== "object" || document.manifest === null) throw invalidPackage(`${label}: _meta.json has no manifest`, { package: label });
  const entries = Object.entries(document.manifest);
  if (entries.length > options.maxFiles) {
    throw invalidPackage(`${label}: _meta.json lists ${entries.length} files, more than ${options.maxFiles} (ISOPOD_ARCHIVE_MAX_FILES)`, { package: label, bound: "maxFiles" });
  }
  const manifest = new Map<string, { size: number; sha256: string }>();
  for (const [file, info] of entries) {
    checkPath(file, label, options.maxPathBytes);
    const { size, checksum } = (info ?? {}) as { size?: unknown; checksum?: unknown };
    if (!Number.isSafeInteger(size) || (size as number) < 0 || typeof checksum !== "string" || !/^sha256-[0-9a-f]{64}$/.test(checksum)) {
      throw invalidPackage(`${label}: _meta.json gives "${file}" no valid size and sha256 checksum`, { package: label });
    }
    manifest.set(file, { size: size as number, sha256: checksum.slice("sha256-".length) });
  }
  const integrity = `sha256-${createHash("sha256").update(bytes).digest("hex")}`;
  return { integrity, manifest, exports: exportsOf(document.exports, label) };
}
