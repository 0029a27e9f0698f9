// Finds the file a subpath of a cached JSR package names: its `_meta.json`
// exports (kept in the cache entry's meta.json), an exact key, a file inside the package.

import { existsSync, readFileSync, realpathSync } from "node:fs";
import path from "node:path";

function isInside(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

/** The file for `subpath` (`.`, `./posix`) of the JSR package whose cache entry is `entryDir`. */
export function jsrFile(entryDir: string, subpath: string): { file?: string; problem?: string } {
  let exports: Record<string, string> = {};
  try {
    exports = (JSON.parse(readFileSync(path.join(entryDir, "meta.json"), "utf8")) as { exports?: Record<string, string> }).exports ?? {};
  } catch {
    return { problem: "its cache entry is missing; reload the package" };
  }
  const target = Object.hasOwn(exports, subpath) ? exports[subpath] : undefined;
  if (target === undefined) return { problem: `"${subpath}" is not among its exports (${Object.keys(exports).join(", ")})` };
  const dir = path.join(entryDir, "package");
  const file = path.resolve(dir, target);
  if (!existsSync(file)) return { problem: `its exports map "${subpath}" to "${target}", which it does not have` };
  if (!isInside(dir, realpathSync(file))) return { problem: `its exports map "${subpath}" outside the package` };
  return { file };
}
