// Picks the version of a package that a range asks for (npm-pick-manifest,
// npm's own rules) and reads what the resolution needs from its manifest.

import pickManifest from "npm-pick-manifest";
import { invalidPackage } from "../../errors.ts";
import type { Packument } from "./packument.ts";

export interface PickedVersion {
  name: string;
  version: string;
  tarball: string;
  /** An SRI string: `dist.integrity`, or the legacy `dist.shasum` as `sha1-…`. */
  integrity: string;
  /** Dependencies and required peer dependencies, name to range. */
  dependencies: Record<string, string>;
  /** Declares a native build (`gypfile`, or an install script running node-gyp). */
  native: boolean;
}

const stringMap = (value: unknown): Record<string, string> =>
  typeof value === "object" && value !== null
    ? Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === "string"))
    : {};

function integrityOf(dist: Record<string, unknown>, label: string): string {
  if (typeof dist.integrity === "string" && dist.integrity !== "") return dist.integrity;
  if (typeof dist.shasum === "string" && /^[0-9a-f]{40}$/i.test(dist.shasum)) {
    return `sha1-${Buffer.from(dist.shasum, "hex").toString("base64")}`;
  }
  throw invalidPackage(`${label} has neither dist.integrity nor dist.shasum; it cannot be verified`);
}

/** The best version of `name` in `range`; none is a 422 naming the specifier and the registry. */
export function pickVersion(packument: Packument, range: string, context: { registry: string; via: string }): PickedVersion {
  let manifest: Record<string, unknown>;
  try {
    manifest = pickManifest(packument, range);
  } catch {
    throw invalidPackage(`${context.via}: no version of "${packument.name}" matches "${range}" in the ${context.registry}`, {
      package: packument.name,
      range,
    });
  }
  const version = String(manifest.version);
  const label = `npm:${packument.name}@${version}`;
  const dist = (manifest.dist ?? {}) as Record<string, unknown>;
  if (typeof dist.tarball !== "string") throw invalidPackage(`${label} has no dist.tarball`);
  const peers = stringMap(manifest.peerDependencies);
  const peersMeta = (typeof manifest.peerDependenciesMeta === "object" ? manifest.peerDependenciesMeta : {}) as Record<string, { optional?: unknown }>;
  const requiredPeers = Object.fromEntries(Object.entries(peers).filter(([name]) => peersMeta[name]?.optional !== true));
  const scripts = stringMap(manifest.scripts);
  const buildScript = [scripts.preinstall, scripts.install, scripts.postinstall].some((script) => script !== undefined && /node-gyp|prebuild/.test(script));
  return {
    name: packument.name,
    version,
    tarball: dist.tarball,
    integrity: integrityOf(dist, label),
    dependencies: { ...requiredPeers, ...stringMap(manifest.dependencies) },
    native: manifest.gypfile === true || buildScript,
  };
}
