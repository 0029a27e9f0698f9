// JSR and npm packages the JSR tests publish on the loopback registries: a
// greeting package with a subpath export that imports another JSR package and a CommonJS npm one.

import path from "node:path";
import type { FakeJsr } from "./fake_jsr.ts";
import type { FakeNpm } from "./fake_npm.ts";
import { ROOT } from "../paths.ts";

export const HONO = path.join(ROOT, "node_modules/hono");

/** Publishes @acme/base 1.0.0 and 1.2.0, @acme/greet 1.0.0 (jsr:@acme/base, npm:legacy) and 2.0.0, and npm legacy. */
export async function publishJsrFixtures(jsr: FakeJsr, npm: FakeNpm): Promise<void> {
  await npm.publish("legacy", "0.3.1", { files: { "lib/main.js": 'exports.twice = (x) => x * 2; exports.name = "legacy";\n' }, manifest: { main: "lib/main.js" } });
  jsr.publish("@acme/base", "1.0.0", { files: { "mod.ts": "export const base = (s: string): string => `[${s}]`;\n" } });
  jsr.publish("@acme/base", "1.2.0", { files: { "mod.ts": "export const base = (s: string): string => `<${s}>`;\n", "README.md": "# base\n" } });
  jsr.publish("@acme/greet", "1.0.0", {
    files: {
      "mod.ts": [
        'import { base } from "jsr:@acme/base@^1";',
        'import legacy from "npm:legacy@0.3";',
        'import { suffix } from "./lib/suffix.ts";',
        "export const greet = (n: string): string => base(`hi ${n} ${legacy.twice(2)}${suffix}`);",
      ].join("\n"),
      "lib/suffix.ts": 'export const suffix: string = "!";\n',
      "sub/x.ts": "export const x: number = 42;\n",
    },
    exports: { ".": "./mod.ts", "./x": "./sub/x.ts" },
  });
  jsr.publish("@acme/greet", "2.0.0", { files: { "mod.ts": 'export const greet = (): string => "two";\n' } });
}
