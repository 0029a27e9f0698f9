// GET /ui: the operator's dashboard. The page and its modules hold no data
// and need no token; the page signs in and calls the API with the token.

import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Hono } from "hono";
import { lastSegment, serveFiles } from "./static_files.ts";
import { dashboardVendorFiles } from "./vendor.ts";

/** The dashboard's own files: plain ES modules and CSS in the top-level ui/ folder. */
export const UI_DIR = path.resolve(import.meta.dirname, "../../ui");

function appFiles(): Map<string, string> {
  const names = readdirSync(UI_DIR).filter((name) => /^[a-z0-9_]+\.(js|css|svg)$/.test(name));
  return new Map(names.map((name) => [name, path.join(UI_DIR, name)]));
}

/**
 * The Content-Security-Policy of the page: scripts only from the host (and the
 * inline import map, by its hash), requests only to the host. A package name
 * or log line that smuggled markup in could not run or load anything.
 */
export function pagePolicy(html: string): string {
  const importMap = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html)?.[1];
  if (importMap === undefined) throw new Error(`${UI_DIR}/index.html has no import map`);
  const hash = createHash("sha256").update(importMap).digest("base64");
  return [
    "default-src 'none'",
    `script-src 'self' 'sha256-${hash}'`,
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function uiPage(): Hono {
  const page = new Hono();
  const html = readFileSync(path.join(UI_DIR, "index.html"), "utf8");
  const headers = {
    "content-security-policy": pagePolicy(html),
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "cache-control": "no-cache",
  };
  const index = () => new Response(html, { headers: { "content-type": "text/html; charset=utf-8", ...headers } });
  page.get("/", index);
  const app = serveFiles(appFiles());
  const vendor = serveFiles(dashboardVendorFiles());
  page.get("/app/*", (c) => app(c, lastSegment(c.req.path, "/ui/app/")));
  page.get("/vendor/*", (c) => vendor(c, lastSegment(c.req.path, "/ui/vendor/")));
  return page;
}
