// Talks to a host's HTTP API: where (ISOPOD_URL), with which token
// (ISOPOD_TOKEN, or a local host's admin-token file), and what failures mean.

import { readFileSync } from "node:fs";
import path from "node:path";
import { CliError, EXIT } from "./errors.ts";

type Env = Record<string, string | undefined>;

export interface Connection {
  url: string;
  token: string | undefined;
  /** Where the token came from, for error messages. */
  tokenSource: string;
  timeoutMs: number;
}

export interface ConnectionOptions {
  url?: string;
  token?: string;
  timeout?: string;
}

function readTokenFile(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

/** --url, ISOPOD_URL, or the local host that ISOPOD_HOST / ISOPOD_PORT describe. */
function urlOf(options: ConnectionOptions, env: Env): string {
  if (options.url ?? env.ISOPOD_URL) return (options.url ?? env.ISOPOD_URL)!.replace(/\/+$/, "");
  const hostname = !env.ISOPOD_HOST || env.ISOPOD_HOST === "0.0.0.0" || env.ISOPOD_HOST === "::" ? "127.0.0.1" : env.ISOPOD_HOST;
  return `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${env.ISOPOD_PORT || "8787"}`;
}

export function resolveConnection(options: ConnectionOptions, env: Env = process.env, cwd = process.cwd()): Connection {
  const url = urlOf(options, env);
  const timeoutMs = options.timeout === undefined ? 600_000 : Number(options.timeout) * 1000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new CliError(EXIT.usage, `--timeout "${options.timeout}" is not a number of seconds`);
  const base = { url, timeoutMs };
  if (options.token) return { ...base, token: options.token, tokenSource: "--token" };
  if (env.ISOPOD_TOKEN) return { ...base, token: env.ISOPOD_TOKEN, tokenSource: "ISOPOD_TOKEN" };
  if (env.ISOPOD_ADMIN_TOKEN) return { ...base, token: env.ISOPOD_ADMIN_TOKEN, tokenSource: "ISOPOD_ADMIN_TOKEN" };
  const file = path.join(path.resolve(cwd, env.ISOPOD_DATA || ".isopod"), "admin-token");
  return { ...base, token: readTokenFile(file), tokenSource: file };
}

/** What to do about an error code the host answered with. */
const HINTS: Record<string, string> = {
  unauthorized: "check ISOPOD_TOKEN (isopod token create on an admin's machine makes one)",
  forbidden: "use an admin token",
  not_found: "see isopod ls",
  busy: "another operation on it is running; try again",
  has_dependents: "delete its dependents first, or use --cascade",
  name_taken: "delete the installed one first (isopod rm NAME), then add",
  not_supported: "this host does not support it yet",
  integrity_failed: "reload it to accept the changed files (isopod reload NAME)",
};

function exitCodeOf(status: number): CliError["exitCode"] {
  if (status === 400 || status === 413) return EXIT.usage;
  if (status === 401 || status === 403) return EXIT.auth;
  return EXIT.failed;
}

/** The host's error answer as one line: message, code, and what to do. */
export function apiError(status: number, body: unknown): CliError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const code = typeof error?.code === "string" ? error.code : `http_${status}`;
  const message = typeof error?.message === "string" ? error.message : `the host answered ${status}`;
  const hint = /^no route /.test(message) ? "this host does not have that route (an older isopod?)" : HINTS[code];
  return new CliError(exitCodeOf(status), `${message} (${code})${hint ? `; ${hint}` : ""}`, body);
}

export class Client {
  readonly connection: Connection;

  constructor(connection: Connection) {
    this.connection = connection;
  }

  #headers(hasBody: boolean, accept: string): Record<string, string> {
    const { token, tokenSource } = this.connection;
    if (!token) {
      throw new CliError(EXIT.auth, `no token: set ISOPOD_TOKEN, or run where a local host keeps its data (${tokenSource} was not found)`);
    }
    return { authorization: `Bearer ${token}`, accept, ...(hasBody && { "content-type": "application/json" }) };
  }

  /**
   * Sends a request; answers the response, or throws "cannot reach" for anything below HTTP.
   * `accept` defaults to JSON.
   */
  async send(method: string, route: string, body?: unknown, options: { signal?: AbortSignal; accept?: string } = {}): Promise<Response> {
    const { signal, accept = "application/json" } = options;
    const { url, timeoutMs } = this.connection;
    const headers = this.#headers(body !== undefined, accept);
    const signals = [AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])];
    try {
      return await fetch(`${url}${route}`, {
        method,
        headers,
        signal: AbortSignal.any(signals),
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      if ((error as Error).name === "TimeoutError") {
        throw new CliError(EXIT.unreachable, `no answer from ${url} within ${timeoutMs / 1000} s; the operation may still be running (see isopod ops), or raise --timeout`);
      }
      const why = cause?.code ?? cause?.message ?? (error as Error).message;
      throw new CliError(EXIT.unreachable, `cannot reach the isopod host at ${url} (${why}); is it running? start one with isopod serve, or set ISOPOD_URL`);
    }
  }

  /** Sends a request and answers the parsed JSON body; an error answer becomes a CliError. */
  async call<T = any>(method: string, route: string, body?: unknown): Promise<T> {
    return this.answerOf<T>(await this.send(method, route, body));
  }

  /** A JSON answer's body; an error answer becomes a CliError. */
  async answerOf<T>(response: Response): Promise<T> {
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      throw new CliError(EXIT.unreachable, `${this.connection.url} answered ${response.status} with something that is not JSON; is ISOPOD_URL an isopod host?`);
    }
    if (!response.ok) throw apiError(response.status, parsed);
    return parsed as T;
  }
}

/** A package name in a URL: encoded, so a scoped name is one path segment. */
export const packagePath = (name: string) => `/v1/packages/${encodeURIComponent(name)}`;
