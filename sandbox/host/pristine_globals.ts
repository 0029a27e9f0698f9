// Bundles a third-party module that the runtime evaluates on first use so that its free globals are the
// runtime's own (isolate/core/pristine.ts): its source with a prelude, in a file the build aliases to.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PRISTINE_NAMES } from "../isolate/core/pristine.ts";

const PRISTINE = fileURLToPath(new URL("../isolate/core/pristine.ts", import.meta.url));

/**
 * The module's source with its free `globalThis` and `PRISTINE_NAMES` made
 * constants of the recorded globals. A module declaring one of those names
 * itself fails the build ("already declared"), never silently.
 */
export function withPristinePrelude(source: string): string {
  const names = PRISTINE_NAMES.join(", ");
  return `import { pristineGlobal as __isopodPristine } from ${JSON.stringify(PRISTINE)};\n` +
    `const globalThis = __isopodPristine;\nconst { ${names} } = __isopodPristine;\n${source}`;
}

/**
 * Runs `build` with an alias for each of `specifiers` to its ES module source
 * (as resolved from here) with the prelude. The files live in a folder of this
 * process's own (`mkdtemp`: a fresh name, mode 0700) for the build only: a
 * predictable name in a shared temp folder would let another local user plant the runtime's code.
 * The build should run from that folder (esbuild's `absWorkingDir`): the
 * bundle names modules by their path from there, the same at every build.
 */
export function buildWithPristineGlobals<T>(specifiers: readonly string[], build: (alias: Record<string, string>, folder: string) => T): T {
  const folder = mkdtempSync(path.join(os.tmpdir(), "isopod-runtime-"));
  try {
    const alias: Record<string, string> = {};
    for (const specifier of specifiers) {
      const file = path.join(folder, `${specifier.replace(/[^\w.-]/g, "_")}.mjs`);
      writeFileSync(file, withPristinePrelude(readFileSync(fileURLToPath(import.meta.resolve(specifier)), "utf8")), { mode: 0o600 });
      alias[specifier] = file;
    }
    return build(alias, folder);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
