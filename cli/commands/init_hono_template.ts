// The files `isopod init --template hono` writes: a Hono app imported through
// deno.json's import map (`"hono": "npm:hono@^4"`), as `deno serve` runs it.

export function honoDenoJson(name: string): string {
  const manifest = {
    name,
    version: "0.1.0",
    exports: "./mod.ts",
    imports: { hono: "npm:hono@^4" },
    permissions: { default: {} },
    isopod: { limits: { memoryMb: 64, timeoutMs: 5000 } },
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

export function honoModTs(name: string): string {
  return `// ${name}: a Hono app as an isopod package. "hono" comes from npm through the
// import map in deno.json; the host resolves and verifies it when the package is added.

import { Hono } from "hono";

const app = new Hono();
app.get("/", (c) => c.text("Hello Hono!"));
app.get("/hello/:name", (c) => c.json({ hello: c.req.param("name") }));

export default app;
`;
}
