// The one HTTP client of npm and JSR resolution: GETs with a per-answer timeout
// under the resolution's deadline, bounded bodies, and registry failures as isopod errors.

import { Readable } from "node:stream";
import { IsopodError, messageOf } from "../errors.ts";
import type { Deadline } from "./resolve/deadline.ts";

export interface GetOptions {
  /** What is fetched, for messages: `npm registry http://127.0.0.1:4873/`. */
  registry: string;
  deadline: Deadline;
  token?: string | undefined;
  accept?: string;
}

function retryAfterOf(response: Response): number {
  const raw = response.headers.get("retry-after");
  const seconds = raw === null ? NaN : Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = raw === null ? NaN : Date.parse(raw);
  return Number.isFinite(date) ? Math.max(0, Math.ceil((date - Date.now()) / 1000)) : 60;
}

/** GETs `url`; a 404 is `undefined`, every other failure an error naming the registry. */
export async function registryGet(url: string, options: GetOptions): Promise<Response | undefined> {
  const headers: Record<string, string> = { accept: options.accept ?? "application/json", "user-agent": "isopod" };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let response: Response;
  try {
    response = await fetch(url, { headers, redirect: "follow", signal: options.deadline.requestSignal() });
  } catch (error) {
    options.deadline.check();
    throw new IsopodError("source_unreachable", `cannot reach the ${options.registry} for ${url}: ${messageOf(error)}`, { registry: options.registry });
  }
  if (response.status === 404) {
    await response.body?.cancel();
    return undefined;
  }
  if (response.status === 429) {
    await response.body?.cancel();
    const retryAfter = retryAfterOf(response);
    throw new IsopodError("rate_limited", `the ${options.registry} is rate limiting the host; retry after ${retryAfter} s`, { retryAfter, registry: options.registry });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new IsopodError("source_unreachable", `the ${options.registry} answered ${response.status} for ${url}`, { registry: options.registry, status: response.status });
  }
  return response;
}

/** Reads a body of at most `maxBytes`; more is a 422 naming the document. */
export async function boundedBytes(response: Response, maxBytes: number, what: string, deadline: Deadline): Promise<Buffer> {
  const declared = Number(response.headers.get("content-length") ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new IsopodError("invalid_package", `${what} is ${declared} bytes, more than ${maxBytes}`, { bytes: declared });
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of Readable.fromWeb(response.body! as never) as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) throw new IsopodError("invalid_package", `${what} is more than ${maxBytes} bytes`, { bytes: total });
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof IsopodError) throw error;
    deadline.check();
    throw new IsopodError("source_unreachable", `cannot read ${what}: ${messageOf(error)}`);
  }
  return Buffer.concat(chunks);
}

/** Reads a JSON body of at most `maxBytes`; more is a 422 naming the document. */
export async function boundedJson(response: Response, maxBytes: number, what: string, deadline: Deadline): Promise<unknown> {
  const bytes = await boundedBytes(response, maxBytes, what, deadline);
  try {
    return JSON.parse(bytes.toString("utf8")) as unknown;
  } catch {
    throw new IsopodError("source_unreachable", `${what} is not valid JSON`);
  }
}
