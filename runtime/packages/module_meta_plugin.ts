// An esbuild plugin for what Deno gives every module: `import.meta` (url,
// main, resolve, filename, dirname) per module, and `data:` imports bundled in.

import { transform, type Loader, type Plugin } from "esbuild";
import { realpathSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";

/** The global the in-isolate runtime installs (sandbox/isolate/core/import_meta.ts). */
export const IMPORT_META_GLOBAL = "__isopodImportMeta";
/** Largest `data:` module taken into a bundle. */
const MAX_DATA_URL = 1024 * 1024;
const SOURCE = /\.(?:ts|tsx|mts|js|jsx|mjs)$/;
const LOADERS: Record<string, Loader> = {
  "text/javascript": "js",
  "application/javascript": "js",
  "text/typescript": "ts",
  "application/typescript": "ts",
  "text/tsx": "tsx",
  "text/jsx": "jsx",
  "application/json": "json",
  "text/plain": "text",
};

/** A `data:` URL's loader and text; a clear error for a media type Deno would not run or a malformed URL. */
function decodeDataUrl(url: string): { loader: Loader; contents: string } | { error: string } {
  if (url.length > MAX_DATA_URL) return { error: `a data: import longer than ${MAX_DATA_URL} characters` };
  const comma = url.indexOf(",");
  if (comma < 0) return { error: `data: import "${url.slice(0, 60)}" has no comma` };
  const params = url.slice(5, comma).split(";");
  const base64 = params.at(-1)?.toLowerCase() === "base64";
  const type = (params[0] || "text/plain").toLowerCase();
  const loader = LOADERS[type];
  if (!loader) return { error: `data: import of media type "${type}" is not a module (use text/javascript, application/typescript or application/json)` };
  const payload = url.slice(comma + 1);
  try {
    const contents = base64 ? Buffer.from(payload, "base64").toString("utf8") : decodeURIComponent(payload);
    return { loader, contents };
  } catch {
    return { error: `data: import "${url.slice(0, 60)}" is not valid percent-encoding` };
  }
}

function loaderOf(file: string): Loader {
  const extension = path.extname(file).slice(1);
  return extension === "mts" ? "ts" : extension === "mjs" ? "js" : (extension as Loader);
}

/** `root` is the package folder, `entry` the entry module's absolute path (its `import.meta.main` is true). */
export function moduleMetaPlugin(root: string, entry: string): Plugin {
  const realRoot = realpathSync(root);
  return {
    name: "isopod-module-meta",
    setup(setup) {
      setup.onResolve({ filter: /^data:/ }, (args) => ({ path: args.path, namespace: "isopod-data" }));
      setup.onLoad({ filter: /.*/, namespace: "isopod-data" }, (args) => {
        const decoded = decodeDataUrl(args.path);
        if ("error" in decoded) return { errors: [{ text: decoded.error }] };
        return { contents: decoded.contents, loader: decoded.loader, resolveDir: root };
      });
      setup.onLoad({ filter: SOURCE, namespace: "file" }, async (args) => {
        const contents = await readFile(args.path, "utf8");
        if (!contents.includes("import.meta")) return undefined;
        const base = args.path.startsWith(realRoot + path.sep) ? realRoot : root;
        const relative = path.relative(base, args.path).split(path.sep).join("/");
        // Each module gets its own import.meta, built by the runtime from its path inside the package.
        const local = "__isopod_import_meta";
        const code = await transform(contents, { loader: loaderOf(args.path), format: "esm", define: { "import.meta": local }, sourcefile: relative });
        const declaration = `var ${local} = globalThis.${IMPORT_META_GLOBAL}(${JSON.stringify(relative)}, ${args.path === entry});\n`;
        return { contents: declaration + code.code, loader: "js", resolveDir: path.dirname(args.path) };
      });
    },
  };
}
