// Exit codes that scripts can rely on, and the one error type the CLI stops
// with: a message in one line that says what to do.

/** `isopod` exits with one of these. */
export const EXIT = {
  /** Everything asked for was done. */
  ok: 0,
  /** The host refused or the operation failed (404, 409, 422, 5xx), or one name of a batch failed. */
  failed: 1,
  /** The command line is wrong, or the host said the input is (400). */
  usage: 2,
  /** No answer from the host: not running, wrong URL, timed out, or not an isopod host. */
  unreachable: 3,
  /** No token, or the host refused it (401), or its role may not do this (403). */
  auth: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  override name = "CliError";
  readonly exitCode: ExitCode;
  /** The host's error body, when there is one: printed as is under --json. */
  readonly body: unknown;

  constructor(exitCode: ExitCode, message: string, body?: unknown) {
    super(message);
    this.exitCode = exitCode;
    this.body = body;
  }
}

export const usageError = (message: string) => new CliError(EXIT.usage, message);
