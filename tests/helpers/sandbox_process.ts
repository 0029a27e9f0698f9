// For tests about the sandbox process: reach it behind a test host, kill it,
// and tell whether a process is still alive.

import assert from "node:assert/strict";
import { ProcessSandbox, type SupervisionEvent } from "../../sandbox/index.ts";
import type { TestHost } from "./use_host.ts";
import { waitFor } from "./wait_for.ts";

export function processSandboxOf(h: TestHost): ProcessSandbox {
  assert.ok(h.host.sandbox instanceof ProcessSandbox, "this test needs the process sandbox");
  return h.host.sandbox;
}

/** The pid of the sandbox process once it is up (waits for a restart in progress). */
export async function sandboxPid(h: TestHost, timeoutMs = 30_000): Promise<number> {
  const sandbox = processSandboxOf(h);
  await waitFor(() => sandbox.pid !== undefined, timeoutMs);
  return sandbox.pid!;
}

/** SIGKILLs the sandbox process; returns its pid. */
export async function killSandbox(h: TestHost): Promise<number> {
  const pid = await sandboxPid(h);
  process.kill(pid, "SIGKILL");
  return pid;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every crash and restart of the host's sandbox process from now on. */
export function recordSupervision(h: TestHost): SupervisionEvent[] {
  const events: SupervisionEvent[] = [];
  processSandboxOf(h).onSupervision((event) => events.push(event));
  return events;
}

/** The host's own log lines from now on. */
export function recordHostLog(h: TestHost): string[] {
  const lines: string[] = [];
  h.host.log = (line) => lines.push(line);
  return lines;
}

/** A package's captured console lines, oldest first. */
export function packageLog(h: TestHost, name: string): string[] {
  h.host.logs.flush();
  return h.host.store.logs.tail(name, 1000).map((entry) => entry.message);
}
