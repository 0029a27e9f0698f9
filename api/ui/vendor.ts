// The browser libraries the dashboard and /docs use, found in node_modules
// and served by the host itself, so a host without internet shows them too.

import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);

/** The folder of an installed npm package: the `node_modules/<name>` above its entry file. */
function packageDir(name: string): string {
  const entry = require.resolve(name);
  const marker = `${path.sep}node_modules${path.sep}${name.split("/").join(path.sep)}${path.sep}`;
  const at = entry.lastIndexOf(marker);
  if (at < 0) throw new Error(`cannot find the folder of npm package "${name}" (resolved to ${entry})`);
  return entry.slice(0, at + marker.length - 1);
}

/** URL name under /ui/vendor/ → file: Preact (+ hooks), htm, uPlot. */
export function dashboardVendorFiles(): Map<string, string> {
  const preact = packageDir("preact");
  const uplot = packageDir("uplot");
  return new Map([
    ["preact.mjs", path.join(preact, "dist/preact.module.js")],
    ["preact-hooks.mjs", path.join(preact, "hooks/dist/hooks.module.js")],
    ["htm.mjs", path.join(packageDir("htm"), "dist/htm.module.js")],
    ["uplot.mjs", path.join(uplot, "dist/uPlot.esm.js")],
    ["uplot.css", path.join(uplot, "dist/uPlot.min.css")],
  ]);
}

/** URL name under /docs/ → file of swagger-ui-dist. */
export function swaggerFiles(): Map<string, string> {
  const dist = packageDir("swagger-ui-dist");
  return new Map(["swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png"].map((name) => [name, path.join(dist, name)]));
}
