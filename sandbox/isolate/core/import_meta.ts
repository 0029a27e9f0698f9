// `import.meta` of each bundled module: the bundler (runtime/packages/
// module_meta_plugin.ts) calls this global with the module's path in the package.

/** The name the bundler's code calls; must match IMPORT_META_GLOBAL in the plugin. */
const NAME = "__isopodImportMeta";

function fileUrlToPath(url: string): string {
  return decodeURIComponent(new URL(url).pathname);
}

/** `rootUrl` is the package root as a `file:` URL ending in "/", on the host's disk, where Deno.readFile looks. */
export function installImportMeta(global: Record<string, unknown>, rootUrl: string): void {
  const make = (relative: unknown, main: unknown): object => {
    const url = new URL(String(relative), rootUrl).href;
    const filename = fileUrlToPath(url);
    return {
      url,
      main: main === true,
      filename,
      dirname: filename.slice(0, filename.lastIndexOf("/")) || "/",
      resolve(specifier: unknown): string {
        const text = String(specifier);
        if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(text)) return new URL(text).href;
        if (!text.startsWith("./") && !text.startsWith("../") && !text.startsWith("/")) {
          throw new TypeError(`Relative import path "${text}" not prefixed with / or ./ or ../`);
        }
        return new URL(text, url).href;
      },
    };
  };
  Object.defineProperty(global, NAME, { value: make, writable: false, configurable: false, enumerable: false });
}
