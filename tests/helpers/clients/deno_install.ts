// Runs the real `deno install --entrypoint <file>` in a package folder, so a
// test gets the deno.lock Deno 2 itself writes against the loopback registries.

import { spawn } from "node:child_process";
import path from "node:path";
import { ROOT } from "../paths.ts";

const DENO = path.join(ROOT, "node_modules/.bin/deno");

/** Resolves when deno exits 0 (within 60 s); rejects with its output otherwise. */
export function denoInstall(root: string, entry: string, env: Record<string, string>): Promise<void> {
  const child = spawn(DENO, ["install", "--entrypoint", entry], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`deno install exited with ${code}:\n${output}`));
    });
  });
}
