// Translates what Octokit throws into the host's errors, in one place: rate
// limits with when to retry, unreachable or failing servers (worth a retry), refused access.

import { IsopodError, messageOf } from "../errors.ts";

/** GitHub did not answer, or answered 5xx: worth another attempt. */
export class SourceUnreachable extends IsopodError {
  constructor(message: string) {
    super("source_unreachable", message);
  }
}

/** After the last retry: the same error, saying how many attempts were made. */
export function gaveUp(error: unknown, attempts: number): unknown {
  if (!(error instanceof SourceUnreachable) || attempts < 2) return error;
  return new SourceUnreachable(`${error.message}; gave up after ${attempts} attempts`);
}

/** The shape of Octokit's RequestError, read structurally so no other Octokit package is imported. */
interface HttpError {
  status: number;
  message: string;
  response?: { headers: Record<string, string | number | undefined> };
}

function isHttpError(error: unknown): error is HttpError {
  return error instanceof Error && typeof (error as { status?: unknown }).status === "number";
}

/** The status of an HTTP answer GitHub gave, or undefined when there was no answer. */
export function statusOf(error: unknown): number | undefined {
  return isHttpError(error) && error.response ? error.status : undefined;
}

/** Seconds until GitHub accepts requests again, read from its headers; undefined when this is not a rate limit. */
function retryAfterOf(error: HttpError, now: number): number | undefined {
  const headers = error.response?.headers ?? {};
  const after = Number(headers["retry-after"]);
  const exhausted = String(headers["x-ratelimit-remaining"]) === "0";
  const limited = error.status === 429 || (error.status === 403 && (exhausted || Number.isFinite(after) || /rate limit/i.test(error.message)));
  if (!limited) return undefined;
  if (Number.isFinite(after) && after > 0) return Math.ceil(after);
  const reset = Number(headers["x-ratelimit-reset"]);
  if (exhausted && Number.isFinite(reset)) return Math.max(1, Math.ceil(reset - now / 1000));
  return 60; // a secondary limit without headers: GitHub asks for at least a minute
}

/** Turns an Octokit failure during `action` into an IsopodError; an error of ours passes through. */
export function translateGitHubError(error: unknown, action: string, api: string, now = Date.now()): IsopodError {
  if (error instanceof IsopodError) return error;
  if (!isHttpError(error) || !error.response) {
    return new SourceUnreachable(`${action}: GitHub at ${api} did not answer (${messageOf(error)})`);
  }
  const retryAfter = retryAfterOf(error, now);
  if (retryAfter !== undefined) {
    const retryAt = new Date(now + retryAfter * 1000).toISOString();
    return new IsopodError("rate_limited", `${action}: GitHub's rate limit is reached; retry after ${retryAt} (in ${retryAfter} s)`, {
      retryAfter,
      retryAt,
    });
  }
  if (error.status >= 500) return new SourceUnreachable(`${action}: GitHub at ${api} answered ${error.status} (${error.message})`);
  if (error.status === 401) {
    return new IsopodError("source_unreachable", `${action}: GitHub refused the host's token (401 ${error.message}); check GITHUB_TOKEN`);
  }
  return new IsopodError("source_unreachable", `${action}: GitHub refused the request (${error.status} ${error.message})`);
}
