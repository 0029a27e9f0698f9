// Errors the host sends into an isolate, as plain data: the name is the
// Deno.errors class (or built-in) the isolate rethrows, the message is Deno's.

import { messageOf } from "../../common/message_of.ts";
import type { ErrorMessage, HostResult } from "../isolate/core/bridge.ts";

/** An error the host raises on purpose inside an isolate operation. */
export class HostOpError extends Error {
  readonly errorName: string;

  constructor(errorName: string, message: string) {
    super(message);
    this.errorName = errorName;
  }

  /** The same error with a reason appended, for refusals Deno itself would not make. */
  withDetail(detail: string): HostOpError {
    return new HostOpError(this.errorName, `${this.message} (${detail})`);
  }
}

/** Deno's wording for a missing permission. */
export function notCapable(permission: string, target?: string): HostOpError {
  const what = target === undefined ? `${permission} access` : `${permission} access to "${target}"`;
  return new HostOpError("NotCapable", `Requires ${what}, run again with the --allow-${permission} flag`);
}

const ERRNO: Record<string, [string, string]> = {
  ENOENT: ["NotFound", "No such file or directory (os error 2)"],
  EEXIST: ["AlreadyExists", "File exists (os error 17)"],
  EISDIR: ["IsADirectory", "Is a directory (os error 21)"],
  ENOTDIR: ["NotADirectory", "Not a directory (os error 20)"],
  EACCES: ["PermissionDenied", "Permission denied (os error 13)"],
  EPERM: ["PermissionDenied", "Operation not permitted (os error 1)"],
  ELOOP: ["NotCapable", "Too many levels of symbolic links (os error 40)"],
};

/** Translates a Node fs error as Deno names it, quoting the path the package gave (never the host's). */
export function fsError(error: unknown, syscall: string, packagePath: string): HostOpError {
  if (error instanceof HostOpError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? "";
  const [name, text] = ERRNO[code] ?? ["Error", (error as Error).message];
  return new HostOpError(name, `${text}: ${syscall} '${packagePath}'`);
}

/** Runs a host operation and turns whatever it throws into a result the isolate understands. */
export async function resultOf(work: () => unknown): Promise<HostResult> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    return { ok: false, error: errorMessageOf(error) };
  }
}

export function resultOfSync(work: () => unknown): HostResult {
  try {
    return { ok: true, value: work() };
  } catch (error) {
    return { ok: false, error: errorMessageOf(error) };
  }
}

/** The error as the isolate will rebuild it: Deno's class name for file-system errors, the message as read by messageOf. */
function errorMessageOf(error: unknown): ErrorMessage {
  if (error instanceof HostOpError) return { name: error.errorName, message: error.message };
  if (error instanceof TypeError || error instanceof RangeError) return { name: error.name, message: error.message };
  return { name: "Error", message: messageOf(error) };
}
