// Load on one URL from autocannon in its own process (after a warm-up), so the
// CPU the serving processes spend per request can be read from /proc.

import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const AUTOCANNON = path.resolve(import.meta.dirname, "../node_modules/autocannon/autocannon.js");

const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used, from /proc; 0 when it is gone. */
export function cpuSecondsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

export interface LoadResult {
  rps: number;
  p99: number;
  errors: number;
  /** Microseconds of CPU per request across `pids`. */
  cpuPerRequestUs: number;
}

export interface LoadOptions {
  seconds: number;
  connections?: number;
  method?: string;
  body?: Buffer;
  /** The processes whose CPU counts as the server's (this one's is added). */
  pids?: () => number[];
}

interface CannonJson {
  requests: { average: number; total: number };
  latency: { p99: number };
  errors: number;
  non2xx: number;
}

async function cannon(url: string, options: LoadOptions, seconds: number): Promise<CannonJson> {
  const args = [AUTOCANNON, "-j", "-c", String(options.connections ?? 10), "-d", String(seconds), "-m", options.method ?? "GET"];
  if (options.body) {
    const file = path.join(os.tmpdir(), `isopod-bench-body-${process.pid}`);
    await writeFile(file, options.body);
    args.push("-i", file);
  }
  const { stdout } = await promisify(execFile)(process.execPath, [...args, url], { maxBuffer: 16 << 20, timeout: (seconds + 30) * 1000 });
  return JSON.parse(stdout) as CannonJson;
}

export async function load(url: string, options: LoadOptions): Promise<LoadResult> {
  await cannon(url, options, 1);
  const pids = [process.pid, ...(options.pids?.() ?? [])];
  const before = pids.map(cpuSecondsOf);
  const result = await cannon(url, options, options.seconds);
  const spent = pids.reduce((sum, pid, i) => sum + cpuSecondsOf(pid) - before[i]!, 0);
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
    cpuPerRequestUs: (spent * 1e6) / Math.max(1, result.requests.total),
  };
}

export function loadLine(label: string, result: LoadResult, baseline?: LoadResult): string {
  const ratio = baseline ? `   ${(result.rps / baseline.rps).toFixed(2)}x req/s, ${(result.cpuPerRequestUs / baseline.cpuPerRequestUs).toFixed(1)}x CPU` : "";
  return `  ${label.padEnd(44)} ${result.rps.toFixed(0).padStart(7)} req/s   p99 ${String(result.p99).padStart(4)} ms   ${result.cpuPerRequestUs.toFixed(0).padStart(5)} µs CPU/req${result.errors ? `   (${result.errors} errors)` : ""}${ratio}`;
}
