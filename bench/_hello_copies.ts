// Copies of packages/hello under distinct names, so each add is a real
// install, and the resident memory of a process from /proc.

import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export const HELLO = path.resolve(import.meta.dirname, "../packages/hello");

/** `count` copies named `@bench/{prefix}-{i}`; `module` replaces their mod.ts. */
export async function helloCopies(count: number, options: { prefix?: string; module?: string | undefined } = {}): Promise<{ dir: string; roots: string[] }> {
  const prefix = options.prefix ?? "hello";
  const dir = await mkdtemp(path.join(os.tmpdir(), `isopod-bench-${prefix}-`));
  const manifest = JSON.parse(await readFile(path.join(HELLO, "deno.json"), "utf8"));
  const roots: string[] = [];
  for (let i = 0; i < count; i++) {
    const root = path.join(dir, `${prefix}-${i}`);
    await cp(HELLO, root, { recursive: true });
    await writeFile(path.join(root, "deno.json"), JSON.stringify({ ...manifest, name: `@bench/${prefix}-${i}` }));
    if (options.module !== undefined) await writeFile(path.join(root, manifest.exports ?? "mod.ts"), options.module);
    roots.push(root);
  }
  return { dir, roots };
}

/** Resident memory of a process, from /proc (0 where there is none). */
export function rssOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
