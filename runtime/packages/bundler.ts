// Bundles a package's entry module and its relative imports (TS, JS, JSON)
// into one ES module with esbuild, refusing anything that needs the network.

import { build, type Message, type Plugin } from "esbuild";
import { realpathSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { invalidPackage, IsopodError } from "../errors.ts";
import { jsxOptions } from "./bundle/jsx_options.ts";
import { moduleMetaPlugin } from "./module_meta_plugin.ts";
import type { Dependencies } from "./index.ts";

const SOURCE_EXTENSIONS = new Set([".ts", ".tsx", ".mts", ".js", ".jsx", ".mjs", ".json"]);

function isInside(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

/** Rejects every import that cannot be satisfied from the package's own folder. */
function offlineOnly(root: string): Plugin {
  const realRoot = realpathSync(root);
  return {
    name: "isopod-offline-only",
    setup(setup) {
      setup.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === "entry-point") return undefined;
        const spec = args.path;
        const from = path.relative(root, args.importer) || args.importer;
        if (!spec.startsWith("./") && !spec.startsWith("../")) {
          return {
            errors: [{ text: `import "${spec}" in ${from} cannot be satisfied offline: only relative imports are supported` }],
          };
        }
        const target = path.resolve(path.dirname(args.importer), spec);
        if (!SOURCE_EXTENSIONS.has(path.extname(target))) {
          return { errors: [{ text: `import "${spec}" in ${from} needs an explicit file extension, as in Deno` }] };
        }
        let real: string;
        try {
          real = realpathSync(target);
        } catch {
          return { errors: [{ text: `import "${spec}" in ${from}: file not found` }] };
        }
        if (!isInside(realRoot, real)) {
          return { errors: [{ text: `import "${spec}" in ${from} leads outside the package` }] };
        }
        return { path: real };
      });
    },
  };
}

function describe(message: Message): string {
  const where = message.location ? `${message.location.file}:${message.location.line}:${message.location.column + 1}: ` : "";
  return `${where}${message.text}`;
}

export class Bundler {
  readonly #cacheDir: string;
  /** npm and JSR dependencies (runtime/packages/); without them only relative imports bundle. */
  readonly dependencies: Dependencies | undefined;

  constructor(cacheDir: string, dependencies?: Dependencies) {
    this.#cacheDir = cacheDir;
    this.dependencies = dependencies;
  }

  /**
   * Bundles `entry` (relative to `root`); a missing file, a syntax error or a remote import is a 422.
   * `plugins` resolve before the offline-only rule (the hook runtime/packages/ uses).
   */
  async bundle(root: string, entry: string, packageName: string, plugins: Plugin[] = []): Promise<string> {
    const entryPath = path.resolve(root, entry);
    if (!isInside(root, entryPath)) throw invalidPackage(`entry "${entry}" of ${packageName} is outside the package`);
    const jsx = await jsxOptions(root);
    try {
      const result = await build({
        entryPoints: [entryPath],
        absWorkingDir: root,
        bundle: true,
        format: "esm",
        platform: "neutral",
        target: "es2022",
        write: false,
        logLevel: "silent",
        charset: "utf8",
        loader: { ".json": "json" },
        ...jsx,
        plugins: [moduleMetaPlugin(root, entryPath), ...plugins, offlineOnly(root)],
      });
      return result.outputFiles[0]!.text;
    } catch (error) {
      const errors = (error as { errors?: Message[] }).errors;
      if (!errors) throw error;
      const first = errors.slice(0, 3).map(describe).join("; ");
      throw invalidPackage(`cannot bundle ${packageName}: ${first}`, { errors: errors.map(describe) });
    }
  }

  #cacheFile(integrity: string): string {
    if (!/^sha256-[0-9a-f]{64}$/.test(integrity)) throw new IsopodError("internal", `bad integrity "${integrity}"`);
    return path.join(this.#cacheDir, `${integrity}.js`);
  }

  /** Keeps a bundle for the files with this integrity; written atomically. */
  async store(integrity: string, code: string): Promise<void> {
    await mkdir(this.#cacheDir, { recursive: true });
    const file = this.#cacheFile(integrity);
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, code);
    await rename(temporary, file);
  }

  /** The cached bundle for these files, or undefined. */
  async cached(integrity: string): Promise<string | undefined> {
    try {
      return await readFile(this.#cacheFile(integrity), "utf8");
    } catch {
      return undefined;
    }
  }

  async forget(integrity: string): Promise<void> {
    await rm(this.#cacheFile(integrity), { force: true });
  }
}
