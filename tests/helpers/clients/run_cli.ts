// Runs the installed `isopod` binary (cli/isopod.js) as a subprocess, with a
// clean environment, and collects its exit code and output. Bounded in time.

import { spawn } from "node:child_process";
import path from "node:path";
import { ROOT } from "../paths.ts";

const SHIM = path.join(ROOT, "cli/isopod.js");

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (for --json). */
  json(): any;
}

export interface RunCliOptions {
  /** Added to an environment with every ISOPOD_* variable removed. */
  env?: Record<string, string>;
  /** Default: a folder with no .isopod in it. */
  cwd?: string;
  timeoutMs?: number;
}

export function runCli(args: string[], options: RunCliOptions = {}): Promise<CliRun> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("ISOPOD_") && value !== undefined) env[key] = value;
  const child = spawn(process.execPath, [SHIM, ...args], {
    cwd: options.cwd ?? import.meta.dirname,
    env: { ...env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`isopod ${args.join(" ")} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({
        code,
        stdout,
        stderr,
        json: () => {
          try {
            return JSON.parse(stdout);
          } catch {
            throw new Error(`stdout is not JSON:\n${stdout}\nstderr: ${stderr}`);
          }
        },
      });
    });
  });
}
