// What the data plane answers for a request the package could not answer:
// the same status, code and message the admin port's /pkg route gives.

import { SandboxFailure } from "../failure.ts";

/** Seconds a client is told to wait before it asks a package that is not running again. */
export const RETRY_AFTER_SECONDS = 5;

export interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

const LIMIT_OF: Partial<Record<string, string>> = { "wall-time": "timeoutMs", "cpu-time": "cpuMs", memory: "memoryMb" };

export function notRunning(name: string): ErrorAnswer {
  return { status: 503, code: "not_running", message: `package "${name}" is not running` };
}

/** The host's answer for a failure, or undefined when the package itself failed (deno serve's plain 500). */
export function failureAnswer(name: string, error: unknown): ErrorAnswer | undefined {
  if (!(error instanceof SandboxFailure)) return undefined;
  const limit = LIMIT_OF[error.reason];
  if (limit) return { status: 503, code: "limit_exceeded", message: `"${name}" was cut short by its ${limit} limit: ${error.message}`, details: { limit } };
  switch (error.reason) {
    case "no-handler":
      return { status: 404, code: "not_found", message: `package "${name}" has no fetch handler in its default export` };
    case "disposed":
      return { status: 503, code: "not_running", message: `package "${name}" stopped while answering` };
    case "sandbox-crash":
      return { status: 503, code: "not_running", message: `package "${name}" is not running: ${error.message}` };
    default:
      return undefined;
  }
}

/** The answer's JSON body and headers, as the API shapes its errors. */
export function errorHead(answer: ErrorAnswer): { body: string; headers: [string, string][] } {
  const body = JSON.stringify({ error: { ...answer.details, code: answer.code, message: answer.message } });
  const headers: [string, string][] = [["content-type", "application/json"], ["content-length", String(Buffer.byteLength(body))]];
  if (answer.code === "not_running") headers.push(["retry-after", String(RETRY_AFTER_SECONDS)]);
  return { body, headers };
}
