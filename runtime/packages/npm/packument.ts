// Fetches an npm packument (the abbreviated "corgi" document) from the
// configured registry; an unknown package is a 422 naming it and the registry.

import { invalidPackage } from "../../errors.ts";
import { boundedJson, registryGet } from "../registry_http.ts";
import type { Deadline } from "../resolve/deadline.ts";

export interface NpmRegistry {
  url: string;
  token: string | undefined;
  /** For messages: `npm registry https://registry.npmjs.org/`. */
  label: string;
}

export interface Packument {
  name: string;
  versions: Record<string, unknown>;
  "dist-tags"?: Record<string, string>;
}

const CORGI = "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*";

/** The URL of a package's document: scoped names keep `@` and escape the slash, as npm does. */
export function packumentUrl(registry: string, name: string): string {
  return `${registry}${name.startsWith("@") ? `@${encodeURIComponent(name.slice(1))}` : encodeURIComponent(name)}`;
}

export async function fetchPackument(registry: NpmRegistry, name: string, options: { deadline: Deadline; maxBytes: number; via: string }): Promise<Packument> {
  const url = packumentUrl(registry.url, name);
  const response = await registryGet(url, { registry: registry.label, deadline: options.deadline, token: registry.token, accept: CORGI });
  if (!response) throw invalidPackage(`${options.via}: package "${name}" is not in the ${registry.label}`, { package: name, registry: registry.url });
  const document = await boundedJson(response, options.maxBytes, `the ${registry.label}'s document for "${name}"`, options.deadline);
  if (typeof document !== "object" || document === null || typeof (document as Packument).versions !== "object") {
    throw invalidPackage(`${options.via}: the ${registry.label}'s document for "${name}" has no versions`);
  }
  return document as Packument;
}
