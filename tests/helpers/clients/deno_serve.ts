// Runs a package under the real Deno (`deno serve -P` from node_modules) on
// a free loopback port, as its author would; killed when the test ends.

import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import type { TestContext } from "node:test";
import { stopHost } from "../spawn_host.ts";
import { ROOT } from "../paths.ts";

const DENO = path.join(ROOT, "node_modules/.bin/deno");

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface DenoServer {
  url: string;
  child: ChildProcess;
  output: () => string;
}

/**
 * `deno serve -P --port <free> <entry>` in `root`, with only `env` in its environment (plus PATH and HOME);
 * with `run`, `deno run -P <entry>` for a module that calls Deno.serve, told its address by DENO_SERVE_ADDRESS.
 */
export async function denoServe(
  t: TestContext,
  root: string,
  options: { entry?: string; env?: Record<string, string>; run?: boolean } = {},
): Promise<DenoServer> {
  const port = await freePort();
  const entry = options.entry ?? "mod.ts";
  const args = options.run ? ["run", "-P", entry] : ["serve", "-P", "--host", "127.0.0.1", "--port", String(port), entry];
  const child = spawn(DENO, args, {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      NO_COLOR: "1",
      DENO_NO_UPDATE_CHECK: "1",
      ...(options.run && { DENO_SERVE_ADDRESS: `tcp:127.0.0.1:${port}` }),
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  t.after(() => stopHost(child));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`deno serve did not listen within 30 s:\n${output}`)), 30_000);
    const check = () => {
      if (output.includes("Listening on")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", check);
    child.stderr!.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`deno serve exited with ${code}:\n${output}`));
    });
  });
  return { url: `http://127.0.0.1:${port}`, child, output: () => output };
}
