// GET /docs: Swagger UI for /v1/openapi.json, its assets served by the host
// from swagger-ui-dist, so the page works on a host without internet.

import path from "node:path";
import { Hono } from "hono";
import { lastSegment, serveFiles } from "./static_files.ts";
import { UI_DIR } from "./ui_page.ts";
import { swaggerFiles } from "./vendor.ts";

// The page holds no data; docs_init.js asks for the token once per tab.
const HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>isopod API</title>
  <link rel="icon" href="/docs/favicon-32x32.png">
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui" data-url="/v1/openapi.json"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/docs_init.js"></script>
</body>
</html>
`;

const POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  // Swagger UI styles elements inline and shows its logo as a data: image.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

export function docsPage(): Hono {
  const page = new Hono();
  const files = swaggerFiles();
  files.set("docs_init.js", path.join(UI_DIR, "docs_init.js"));
  const assets = serveFiles(files);
  page.get("/", (c) => c.html(HTML, 200, { "content-security-policy": POLICY, "referrer-policy": "no-referrer" }));
  page.get("/*", (c) => assets(c, lastSegment(c.req.path, "/docs/")));
  return page;
}
