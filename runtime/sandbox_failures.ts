// The one place where a failure of the sandbox (an isolate call that was
// cut short, crashed or threw) becomes the host's IsopodError, keeping it as the cause.

import { messageOf } from "../common/message_of.ts";
import { SandboxFailure } from "../sandbox/index.ts";
import { IsopodError } from "./errors.ts";

const LIMIT_OF: Partial<Record<string, string>> = { "wall-time": "timeoutMs", "cpu-time": "cpuMs", memory: "memoryMb" };

/** A hook (install, start, stop) that failed: `code` for the operation, `invalid_package` for a module that cannot load. */
export function hookFailureError(code: "install_failed" | "start_failed", action: string, error: unknown): IsopodError {
  if (error instanceof IsopodError) return error;
  const reason = error instanceof SandboxFailure ? error.reason : "uncaught-error";
  const options = { cause: error };
  if (reason === "invalid-module") return new IsopodError("invalid_package", `${action}: ${messageOf(error)}`, { reason }, options);
  return new IsopodError(code, `${action}: ${messageOf(error)}`, { reason }, options);
}

/**
 * A `/pkg` request that failed: the host's error when the host cut it short
 * or the package is not there to answer, or `undefined` when the package
 * itself failed (its answer is then deno serve's plain 500).
 */
export function requestFailureError(name: string, error: unknown): IsopodError | undefined {
  if (!(error instanceof SandboxFailure)) {
    return error instanceof IsopodError ? error : new IsopodError("internal", messageOf(error), {}, { cause: error });
  }
  const cause = { cause: error };
  const limit = LIMIT_OF[error.reason];
  if (limit) return new IsopodError("limit_exceeded", `"${name}" was cut short by its ${limit} limit: ${error.message}`, { limit }, cause);
  switch (error.reason) {
    case "no-handler":
      return new IsopodError("not_found", `package "${name}" has no fetch handler in its default export`, {}, cause);
    case "disposed":
      return new IsopodError("not_running", `package "${name}" stopped while answering`, {}, cause);
    case "sandbox-crash":
      return new IsopodError("not_running", `package "${name}" is not running: ${error.message}`, {}, cause);
    default:
      return undefined;
  }
}
