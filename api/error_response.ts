// The one place where errors become HTTP answers: `{ error: { code, message } }`
// with the status their code calls for. Unknown errors are a 500 and are logged.

import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { IsopodError, type ErrorCode } from "../runtime/index.ts";

const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  name_taken: 409,
  conflict: 409,
  has_dependents: 409,
  dependency_cycle: 409,
  // 424 Failed Dependency (RFC 4918): this package was not started because one it needs did not start.
  dependency_failed: 424,
  busy: 409,
  invalid_package: 422,
  invalid_archive: 422,
  install_failed: 422,
  start_failed: 422,
  upgrade_failed: 422,
  integrity_failed: 422,
  not_running: 503,
  limit_exceeded: 503,
  source_not_found: 404,
  source_unreachable: 502,
  rate_limited: 503,
  not_supported: 501,
  // The fleet's engine (NATS) cannot be reached: the write is refused, nothing changed (docs/fleet.md).
  engine_unavailable: 503,
  internal: 500,
};

export function statusOf(code: ErrorCode): ContentfulStatusCode {
  return STATUS[code];
}

export interface ErrorBody {
  error: { code: string; message: string } & Record<string, unknown>;
}

function bodyOf(error: IsopodError): ErrorBody {
  return { error: { ...error.details, code: error.code, message: error.message } };
}

/** Translates anything thrown by a route into the API's error shape. */
export function toIsopodError(error: unknown): IsopodError {
  if (error instanceof IsopodError) return error;
  if (error instanceof HTTPException) {
    const code: ErrorCode = error.status === 413 ? "bad_request" : error.status === 401 ? "unauthorized" : "bad_request";
    return new IsopodError(code, error.message || "bad request");
  }
  return new IsopodError("internal", "internal error");
}

/** The `error` member of an answer, for errors carried inside a successful one (batch results). */
export function errorFieldOf(error: unknown): ErrorBody["error"] {
  const translated = toIsopodError(error);
  if (translated.code === "internal") console.error("isopod: unexpected error in a batch step:", error);
  return bodyOf(translated).error;
}

/** An error's status and body as a route would answer it (an internal error is logged, `where` saying what failed). */
export function errorAnswerOf(error: unknown, where: string): { status: ContentfulStatusCode; body: ErrorBody; error: IsopodError } {
  const translated = toIsopodError(error);
  if (translated.code === "internal") console.error(`isopod: unexpected error on ${where}:`, error);
  const status = error instanceof HTTPException && error.status === 413 ? 413 : statusOf(translated.code);
  return { status, body: bodyOf(translated), error: translated };
}

export function errorResponse(c: Context, error: unknown): Response {
  const { status, body, error: translated } = errorAnswerOf(error, `${c.req.method} ${c.req.path}`);
  // A rate-limited source says when to come back, as GitHub itself does.
  if (typeof translated.details.retryAfter === "number") c.header("Retry-After", String(translated.details.retryAfter));
  return c.json(body, status);
}
