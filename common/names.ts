// Package and resource names (docs/reference/package_format.md#names), and the one place that turns
// a package name into a folder name.

const PACKAGE_NAME = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;
const RESOURCE_NAME = /^[A-Za-z0-9._-]{1,128}$/;
const MAX_PACKAGE_NAME = 214;

export function isPackageName(name: string): boolean {
  return name.length <= MAX_PACKAGE_NAME && PACKAGE_NAME.test(name);
}

export function isResourceName(name: string): boolean {
  return RESOURCE_NAME.test(name);
}

/**
 * The folder name for a package: `@acme/clock` becomes `@acme+clock`.
 * `+` cannot appear in a package name, so two names never share a folder.
 */
export function folderNameOf(name: string): string {
  return name.replace("/", "+");
}
