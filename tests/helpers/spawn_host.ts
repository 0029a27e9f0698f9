// Starts a host as `npm start` does (a separate Node process running
// `cli/main.ts serve`) on a free loopback port; killed when the test ends.

import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import type { TestContext } from "node:test";

const ROOT = path.resolve(import.meta.dirname, "../..");

export interface SpawnedHost {
  url: string;
  child: ChildProcess;
  output: () => string;
}

export async function spawnHost(t: TestContext, env: Record<string, string>): Promise<SpawnedHost> {
  const child = spawn(process.execPath, ["--no-node-snapshot", "--import", "tsx", "cli/main.ts", "serve"], {
    cwd: ROOT,
    env: { ...process.env, ISOPOD_HOST: "127.0.0.1", ISOPOD_PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  t.after(() => stopHost(child));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`host did not start within 20 s:\n${output}`)), 20_000);
    const onData = () => {
      const match = /serving (http:\/\/\S+)/.exec(output);
      if (match && output.includes("isopod: ready")) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on("data", onData);
    // The signal too: a host that dies of one (a native crash) exits with no code.
    child.once("exit", (code, signal) => reject(new Error(`host exited with ${code ?? signal}:\n${output}`)));
  });
  return { url, child, output: () => output };
}

/** Stops a host process: SIGTERM, then SIGKILL if it lingers. */
export function stopHost(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}
