// Writes small packages for tests: a deno.json from a partial manifest and
// any module files, so each test states only what it is about.

import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

export interface PackageFixture {
  /** deno.json content; name, version and exports default to a valid package. A string is written as is. */
  manifest?: Record<string, unknown> | string;
  /** Files relative to the package root; `mod.ts` defaults to an empty default export. */
  files?: Record<string, string>;
}

/** Creates `dir/<folder>` with the fixture and returns its path. */
export async function writePackage(dir: string, folder: string, fixture: PackageFixture = {}): Promise<string> {
  const root = path.join(dir, folder);
  await mkdir(root, { recursive: true });
  const manifest =
    typeof fixture.manifest === "string"
      ? fixture.manifest
      : JSON.stringify({ name: folder, version: "1.0.0", exports: "./mod.ts", ...fixture.manifest }, null, 2);
  await writeFile(path.join(root, "deno.json"), manifest);
  const files = { "mod.ts": "export default {};\n", ...fixture.files };
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), content);
  }
  return root;
}
