// Serves a fixed set of files (the dashboard's modules, vendored libraries)
// by URL name: nothing outside the list is reachable, whatever the path says.

import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Context } from "hono";
import { notFound } from "../../runtime/index.ts";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
};

/** URL name (no leading slash) → absolute file path. */
export type FileList = ReadonlyMap<string, string>;

/** The file name at the end of a request path (`/ui/app/main.js` → `main.js`); nested paths give undefined. */
export function lastSegment(requestPath: string, prefix: string): string | undefined {
  const at = requestPath.indexOf(prefix);
  const rest = at < 0 ? "" : requestPath.slice(at + prefix.length);
  return rest !== "" && !rest.includes("/") ? rest : undefined;
}

export function contentTypeOf(file: string): string {
  return TYPES[path.extname(file)] ?? "application/octet-stream";
}

/**
 * Answers `name` from `files`, or throws a 404 (the API's error shape).
 * Files are read once and kept: they are the host's own, fixed while it runs.
 */
export function serveFiles(files: FileList, headers: Record<string, string> = {}) {
  const cache = new Map<string, Promise<Buffer>>();
  return async (c: Context, name: string | undefined): Promise<Response> => {
    const file = name === undefined ? undefined : files.get(name);
    if (file === undefined) throw notFound(`no file ${c.req.path}`);
    let bytes = cache.get(file);
    if (!bytes) {
      bytes = readFile(file);
      cache.set(file, bytes);
      bytes.catch(() => cache.delete(file));
    }
    const body = new Uint8Array(await bytes);
    return c.body(body, 200, { "content-type": contentTypeOf(file), "cache-control": "no-cache", "x-content-type-options": "nosniff", ...headers });
  };
}
