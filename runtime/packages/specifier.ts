// Parses `npm:` and `jsr:` specifiers as Deno 2 writes them: a name, an optional
// range, and a subpath (`npm:@scope/name@^1/sub/path`, `jsr:@std/path@1/posix`).

import npa from "npm-package-arg";
import { invalidPackage } from "../errors.ts";

export interface PackageSpecifier {
  registry: "npm" | "jsr";
  name: string;
  /** The range as written; `*` when none is. */
  range: string;
  /** `.` for the package itself, else `./sub/path`. */
  subpath: string;
}

const PATTERN = /^(npm|jsr):\/?((?:@[^/@]+\/)?[^/@]+)(?:@([^/]*))?(\/.*)?$/;

/** The specifier's parts, or undefined when it is not an `npm:` or `jsr:` one; a malformed one is a 422. */
export function parseSpecifier(specifier: string): PackageSpecifier | undefined {
  const match = PATTERN.exec(specifier);
  if (!specifier.startsWith("npm:") && !specifier.startsWith("jsr:")) return undefined;
  if (!match) throw invalidPackage(`import "${specifier}" is not a valid npm: or jsr: specifier`);
  const [, registry, name, range, subpath] = match as unknown as [string, "npm" | "jsr", string, string | undefined, string | undefined];
  if (registry === "jsr" && !name.startsWith("@")) throw invalidPackage(`import "${specifier}": JSR package names have a scope (jsr:@scope/name)`);
  try {
    const parsed = npa(`${name}@${range || "*"}`);
    if (parsed.type !== "range" && parsed.type !== "version" && parsed.type !== "tag") throw new Error(parsed.type);
  } catch {
    throw invalidPackage(`import "${specifier}" does not name a package and a version range`);
  }
  return { registry, name, range: range || "*", subpath: subpath ? `.${subpath}` : "." };
}

/** The key a root import is resolved under: the specifier without its subpath. */
export const rootKey = (spec: PackageSpecifier) => `${spec.registry}:${spec.name}@${spec.range}`;

/** `name@version`, the key of one resolved package in a graph. */
export const packageKey = (name: string, version: string) => `${name}@${version}`;
