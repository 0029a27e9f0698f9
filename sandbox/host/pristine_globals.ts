// Bundles a third-party module that the runtime evaluates on first use so that its free globals are the
// runtime's own (isolate/core/pristine.ts): its source with a prelude, in a file the build aliases to.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
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
 * (as resolved from here) with the prelude, in a scratch file named after its
 * content: the same for every build of the same source, so the bundle is too.
 */
export function buildWithPristineGlobals<T>(specifiers: readonly string[], build: (alias: Record<string, string>) => T): T {
  const alias: Record<string, string> = {};
  for (const specifier of specifiers) {
    const source = withPristinePrelude(readFileSync(fileURLToPath(import.meta.resolve(specifier)), "utf8"));
    const digest = createHash("sha256").update(source).digest("hex").slice(0, 16);
    const folder = path.join(os.tmpdir(), `isopod-runtime-${digest}`);
    const file = path.join(folder, `${specifier.replace(/[^\w.-]/g, "_")}.mjs`);
    if (!existsSync(file)) {
      mkdirSync(folder, { recursive: true, mode: 0o700 });
      // Written whole, then renamed: another process building at the same time reads this file or none.
      const temporary = `${file}.${process.pid}.tmp`;
      writeFileSync(temporary, source, { mode: 0o600 });
      renameSync(temporary, file);
    }
    alias[specifier] = file;
  }
  return build(alias);
}
