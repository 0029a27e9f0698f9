// The one error type the host throws on purpose: a typed `code`, a message
// that names the action and the value, and whether the caller or the host is at fault.

/** Codes a client can rely on; each maps to one HTTP status in `api/error_response.ts`. */
export type ErrorCode =
  | "bad_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "name_taken"
  | "conflict"
  | "has_dependents"
  | "dependency_cycle"
  | "dependency_failed"
  | "busy"
  | "invalid_package"
  | "invalid_archive"
  | "install_failed"
  | "start_failed"
  | "upgrade_failed"
  | "integrity_failed"
  | "not_running"
  | "limit_exceeded"
  | "source_not_found"
  | "source_unreachable"
  | "rate_limited"
  | "not_supported"
  | "engine_unavailable"
  | "internal";

/** An error the host raises deliberately. `details` travel to the client beside code and message. */
export class IsopodError extends Error {
  override name = "IsopodError";
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  /** `options.cause` keeps the error this one translates (a sandbox failure, a foreign library's error). */
  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.details = details;
  }

  /** True when the caller sent something wrong; false when the host itself failed. */
  get isUserError(): boolean {
    return this.code !== "internal" && this.code !== "source_unreachable" && this.code !== "rate_limited" && this.code !== "engine_unavailable";
  }
}

export const badRequest = (message: string, details?: Record<string, unknown>) =>
  new IsopodError("bad_request", message, details);
export const notFound = (message: string) => new IsopodError("not_found", message);
export const invalidPackage = (message: string, details?: Record<string, unknown>) =>
  new IsopodError("invalid_package", message, details);

export { messageOf } from "../common/message_of.ts";
