// A package for the body benchmarks: POST /echo answers the body it got,
// GET /stream streams 1 MiB in 64 KiB chunks; written to a temp folder.

import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

const MODULE = `
const CHUNK = new Uint8Array(64 * 1024).fill(120);
export default {
  async fetch(request: Request): Promise<Response> {
    if (new URL(request.url).pathname.endsWith("/echo")) return new Response(await request.arrayBuffer());
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ === 16) controller.close();
        else controller.enqueue(CHUNK);
      },
    });
    return new Response(body, { headers: { "content-type": "application/octet-stream" } });
  },
};
`;

/** Writes the package into `dir` and returns its folder. */
export async function writeBodiesPackage(dir: string): Promise<string> {
  const root = path.join(dir, "bodies");
  await mkdir(root, { recursive: true });
  await writeFile(path.join(root, "mod.ts"), MODULE);
  const manifest = { name: "@bench/bodies", version: "1.0.0", exports: "./mod.ts", permissions: { default: {} }, isopod: { limits: { memoryMb: 64, timeoutMs: 2000 } } };
  await writeFile(path.join(root, "deno.json"), JSON.stringify(manifest, null, 2));
  return root;
}
